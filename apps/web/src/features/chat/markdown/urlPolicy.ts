/** Protocols a link in a message may use. Everything else (javascript:, data:, vbscript:, file:, …) is dropped. */
const SAFE_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * The `urlTransform` of the message renderer: what an `href` (or an image's `src`) in a message may point to.
 *
 * - an absolute http, https or mailto URL, returned in the browser's normalised form (so the address a reader is
 *   shown is exactly the one the browser would follow);
 * - a fragment (`#…`), which only moves within the page: gfm footnotes link to their notes this way;
 * - nothing else: relative and protocol-relative addresses (meaningless in a chat, and resolved against Salon's own
 *   origin), other schemes, and anything the URL parser rejects give `''`, which the renderer shows as plain text.
 *
 * The URL parser strips leading and trailing control characters and spaces and removes tabs and newlines, as the
 * browser does when following a link, so `java\tscript:` and ` javascript:` are caught as javascript:.
 */
export function safeUrl(url: string): string {
  if (url.startsWith('#')) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '';
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : '';
}

/** Whether a (safe) address leaves the page: such links open in a new tab, without referrer or opener. */
export function isExternal(url: string): boolean {
  return url !== '' && !url.startsWith('#');
}

/** The `rel` of every link that leaves the page. */
export const EXTERNAL_REL = 'noopener noreferrer nofollow';
