import 'katex/dist/katex.min.css';
import './markdown.css';
import { createContext, type JSX, useContext, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import Markdown, { type Components, type ExtraProps, type Options } from 'react-markdown';
import rehypeKatex from 'rehype-katex';
import remarkBreaks from 'remark-breaks';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { rehypeScopeFootnoteLabel } from './footnotes';
import { canRenderMarkdown } from './guard';
import { KATEX_OPTIONS, type MathSkipReason, rehypeMathLimits } from './math';
import { remarkDisplayMath, remarkHtmlAsText } from './remarkChat';
import { EXTERNAL_REL, isExternal, safeUrl } from './urlPolicy';

// This module is loaded lazily (see ../MessageBody.tsx): it brings the Markdown parser, KaTeX and KaTeX's CSS and
// fonts, which the first paint of the app does not need.

type PluggableList = NonNullable<Options['rehypePlugins']>;

/**
 * GitHub-flavoured Markdown (tables, strikethrough, task lists, autolinks, footnotes), $inline$ and $$display$$
 * math, raw HTML as the text it is, and a line break for every newline, as chat users expect.
 */
const REMARK_PLUGINS: PluggableList = [remarkGfm, remarkMath, remarkHtmlAsText, remarkBreaks, remarkDisplayMath];

/** Whether the element being rendered is inside a link: an image there must not become a second, nested link. */
const InsideLink = createContext(false);

type Props<Tag extends keyof JSX.IntrinsicElements> = JSX.IntrinsicElements[Tag] & ExtraProps;

/**
 * Links: only to the addresses `safeUrl` lets through (others show as text); those that leave the page open in a
 * new tab, with no opener, no referrer and no endorsement, and show their real address on hover.
 */
function Link({ href, children, node: _node, ...rest }: Props<'a'>) {
  const { t } = useTranslation();
  if (!href) {
    return (
      <span className="md-blocked" title={t('chat.markdown.linkBlocked')}>
        {children}
      </span>
    );
  }
  return (
    <InsideLink.Provider value={true}>
      {isExternal(href) ? (
        <a href={href} target="_blank" rel={EXTERNAL_REL} title={href}>
          {children}
        </a>
      ) : (
        // A footnote reference or back-reference, within the message.
        <a href={href} {...rest}>
          {children}
        </a>
      )}
    </InsideLink.Provider>
  );
}

/**
 * Images are never loaded: a remote image would make every reader's browser fetch an address of the sender's
 * choosing (a tracking pixel, or a request to a local service). Its alt text (or address) is shown as a link.
 */
function Image({ src, alt }: Props<'img'>) {
  const { t } = useTranslation();
  const insideLink = useContext(InsideLink);
  const url = typeof src === 'string' ? src : '';
  const content = (
    <>
      <span className="md-image-tag">{t('chat.markdown.image')}</span>
      {alt || url}
    </>
  );
  if (!url) {
    return (
      <span className="md-image md-blocked" title={t('chat.markdown.imageBlocked')}>
        {content}
      </span>
    );
  }
  if (insideLink) {
    return (
      <span className="md-image" title={url}>
        {content}
      </span>
    );
  }
  return (
    <a className="md-image" href={url} target="_blank" rel={EXTERNAL_REL} title={url}>
      {content}
    </a>
  );
}

/** Tables scroll sideways in their own box rather than widening the message. */
function Table({ node: _node, ...props }: Props<'table'>) {
  return (
    <div className="md-table">
      <table {...props} />
    </div>
  );
}

/** Code; a formula left untypeset by `rehypeMathLimits` tells why on hover. */
function Code({ node, ...props }: Props<'code'>) {
  const { t } = useTranslation();
  const skipped = node?.properties.dataMathSkipped as MathSkipReason | undefined;
  return <code {...props} title={skipped ? t(`chat.markdown.mathSkipped.${skipped}`) : undefined} />;
}

const COMPONENTS: Components = { a: Link, img: Image, table: Table, code: Code };

/** A message's id as a safe part of an HTML id. */
function idPart(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

interface MarkdownBodyProps {
  /** Unique among the messages on the page: scopes the ids of the message's footnotes. */
  id: string;
  body: string;
}

/**
 * A message body as Markdown with math. No raw HTML is ever rendered: HTML in the source shows as the text it is.
 * URLs go through `safeUrl`, images become links, formulas are typeset by KaTeX within `rehypeMathLimits`. A body
 * that nests containers deeper than the parser can take in reasonable time is shown as plain text.
 */
export function MarkdownBody({ id, body }: MarkdownBodyProps) {
  const { t } = useTranslation();
  const prefix = `m-${idPart(id)}-`;
  const remarkRehypeOptions = useMemo(
    () => ({
      clobberPrefix: prefix,
      footnoteLabel: t('chat.markdown.footnotes'),
      footnoteBackLabel: (referenceIndex: number, rereferenceIndex: number) =>
        t('chat.markdown.footnoteBack', {
          reference: `${referenceIndex + 1}${rereferenceIndex > 1 ? `-${rereferenceIndex}` : ''}`,
        }),
    }),
    [prefix, t],
  );
  const rehypePlugins = useMemo<PluggableList>(
    () => [rehypeMathLimits, [rehypeKatex, KATEX_OPTIONS], [rehypeScopeFootnoteLabel, prefix]],
    [prefix],
  );
  if (!canRenderMarkdown(body)) return <span className="plain-text">{body}</span>;
  return (
    <Markdown
      remarkPlugins={REMARK_PLUGINS}
      rehypePlugins={rehypePlugins}
      remarkRehypeOptions={remarkRehypeOptions}
      urlTransform={safeUrl}
      components={COMPONENTS}
    >
      {body}
    </Markdown>
  );
}
