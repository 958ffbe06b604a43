import type { User } from '@salon/protocol';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimelineMessage } from '../e2ee/decodeMessages';
import { countdown, expiryTime, withoutExpired } from './expiry';
import { MessageItem } from './MessageItem';
import { PendingItem } from './PendingItem';
import type { PendingMessage } from './usePendingSends';

interface Props {
  me: User;
  messages: TimelineMessage[];
  pending: PendingMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onDismiss: (clientMsgId: string) => void;
  /** Whether the reader may delete other people's messages (their own are always deletable). */
  canDeleteAny: boolean;
  onDelete: (seq: number) => void;
  /** Encrypted rooms: reports a message to the moderators; `reported` are those reported from here. */
  onReport?: ((seq: number) => void) | undefined;
  reported?: ReadonlySet<number>;
}

/** Distance in pixels from an edge that still counts as "at" that edge. */
const EDGE_PX = 48;

/** Where the first visible message was before older ones were prepended, to put it back in the same place. */
interface Anchor {
  seq: number;
  offset: number;
}

export function MessageList({
  me,
  messages,
  pending,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onDismiss,
  canDeleteAny,
  onDelete,
  onReport,
  reported,
}: Props) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const anchor = useRef<Anchor | null>(null);
  const list = useRef<HTMLOListElement>(null);

  // The time of this render: the timeline's expiry scheduler re-renders the list whenever a countdown moves on or
  // a message reaches its end, and whatever is past its end is left out even before the state drops it.
  const now = Date.now();
  const shown = withoutExpired(messages, now);
  const shownPending = withoutExpired(pending, now);
  const firstSeq = shown[0]?.seq;

  const loadOlder = () => {
    const el = scroller.current;
    if (!el || !hasOlder || loadingOlder || firstSeq === undefined) return;
    const firstEl = el.querySelector<HTMLElement>(`[data-seq="${firstSeq}"]`);
    anchor.current = firstEl ? { seq: firstSeq, offset: firstEl.offsetTop - el.scrollTop } : null;
    onLoadOlder();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    if (el.scrollTop < EDGE_PX) loadOlder();
  };

  // Runs after every render (new, older or pending messages all move the content) and before paint, so neither
  // the jump to the bottom nor the restored position ever flickers.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const saved = anchor.current;
    if (saved && firstSeq !== saved.seq) {
      anchor.current = null;
      const anchorEl = el.querySelector<HTMLElement>(`[data-seq="${saved.seq}"]`);
      if (anchorEl) el.scrollTop = anchorEl.offsetTop - saved.offset;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  });

  // Messages also change height without a render of the list: when the Markdown renderer arrives and replaces the
  // plain text, or when KaTeX's fonts load. A reader at the bottom stays there (resize observers run before paint).
  useEffect(() => {
    const el = scroller.current;
    const content = list.current;
    if (!el || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  return (
    <div className="message-scroller" ref={scroller} onScroll={onScroll} data-testid="message-list">
      <div className="history-edge">
        {loadingOlder ? (
          <span className="muted">{t('chat.loadingOlder')}</span>
        ) : hasOlder ? (
          <button type="button" className="link" data-testid="load-older" onClick={loadOlder}>
            {t('chat.loadOlder')}
          </button>
        ) : (
          <span className="muted">{shown.length ? t('chat.beginning') : t('chat.empty')}</span>
        )}
      </div>
      <ol className="messages" ref={list}>
        {shown.map((message) => {
          const end = expiryTime(message);
          const left = end === undefined ? undefined : countdown(end - now);
          return (
            <MessageItem
              key={message.seq}
              message={message}
              own={message.sender.id === me.id}
              canDelete={canDeleteAny || message.sender.id === me.id}
              onDelete={onDelete}
              onReport={onReport}
              reported={reported?.has(message.seq) ?? false}
              expiryUnit={left?.unit}
              expiryValue={left?.value}
            />
          );
        })}
        {shownPending.map((message) => (
          <PendingItem key={message.clientMsgId} message={message} senderName={me.displayName} onDismiss={onDismiss} />
        ))}
      </ol>
    </div>
  );
}
