import { Component, lazy, memo, type ReactNode, Suspense, useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { renderQueue } from './renderQueue';

/** The Markdown and math renderer, in a chunk of its own: the first paint of the app does not wait for KaTeX. */
const loadRenderer = () => import('./markdown/MarkdownBody');

const MarkdownBody = lazy(() => loadRenderer().then((module) => ({ default: module.MarkdownBody })));

/** Starts fetching the renderer before the first message needs it. A failure is left for the render to meet. */
export function preloadMarkdown(): void {
  loadRenderer().catch(() => {});
}

/** Shows `fallback` instead of a subtree that failed: a renderer that cannot load or chokes on one body. */
class FallbackOnError extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

interface Props {
  /** Unique among the bodies on the page (it scopes the ids inside the body). */
  id: string;
  body: string;
  testId?: string;
}

/** Bodies up to this length are rendered with their message (a few milliseconds, tens at worst); longer ones wait. */
export const IMMEDIATE_CHARS = 500;

/**
 * A message body, rendered as Markdown with math. Until the renderer has loaded, and should it ever fail, the body
 * shows as the plain text it is, line breaks kept; so does a long body until its turn in `renderQueue` comes.
 * Memoised on its props: a long history is not rendered again for every new message, countdown tick or typing
 * notice.
 */
export const MessageBody = memo(function MessageBody({ id, body, testId }: Props) {
  const [due, setDue] = useState(() => body.length <= IMMEDIATE_CHARS);
  useEffect(() => {
    if (due) return;
    // Once the renderer is there (else the renders would all wait for it, then run together), in a task of its
    // own, rendered and committed at once: the next body waits for the next task. Should the renderer fail to
    // load, the body stays as it is: plain.
    let cancel: (() => void) | undefined;
    let live = true;
    loadRenderer().then(
      () => {
        if (live) cancel = renderQueue.enqueue(() => flushSync(() => setDue(true)));
      },
      () => {},
    );
    return () => {
      live = false;
      cancel?.();
    };
  }, [due]);

  const plain = <span className="plain-text">{body}</span>;
  return (
    <div className="message-body markdown" data-testid={testId}>
      {due ? (
        <FallbackOnError fallback={plain}>
          <Suspense fallback={plain}>
            <MarkdownBody id={id} body={body} />
          </Suspense>
        </FallbackOnError>
      ) : (
        plain
      )}
    </div>
  );
});
