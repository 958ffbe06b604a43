/**
 * Bounds on the constructs that the Markdown parser (micromark) handles in time far worse than linear. Real
 * messages stay far below them; a body past any of them is shown as the plain text it is.
 *
 * Measured with 16 000-character bodies (the protocol's maximum) in Chromium on a two-core machine:
 * - containers (block quotes, list items) opened on one line: "- - - …" or ">>>…" takes minutes, then overflows
 *   the stack; 1000 levels take seconds;
 * - a run of emphasis delimiters: 8000 `*`, then text, then 8000 `*`, takes 20 s and overflows the stack;
 * - emphasis delimiter runs in one body: each closing run is matched by a search back through all the runs before
 *   it, so 8000 of them (`*a*a*a…`, or short nests `*_*_x_*_*`) take several seconds;
 * - nested brackets (link and image labels): `[[[[…]]]]` 8000 deep takes a second and a half.
 */
export const MARKDOWN_LIMITS = {
  /** Containers opened at the start of one line. */
  nesting: 20,
  /** Characters in one run of `*`, `_` or `~`. */
  delimiterRun: 200,
  /** Runs of `*`, `_` or `~` in the whole body that may open or close emphasis. */
  delimiterRuns: 1000,
  /** Depth of nested `[`, within a paragraph. */
  brackets: 50,
} as const;

export type MarkdownLimit = keyof typeof MARKDOWN_LIMITS;

/** Block quote markers and list item markers (bullet or ordered), each with the spaces before it. */
const CONTAINER_MARKERS = /^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+/;
const MARKER = />|[-+*]|\d{1,9}[.)]/g;
const SPACE = /\s/;
const WORD = /[\p{L}\p{N}]/u;

/**
 * Whether a run of delimiters between `before` and `after` (characters, '' at a line's edge) can open or close
 * emphasis, following CommonMark's flanking rules loosely (never calling active a run that is): with white space
 * on both sides it cannot, nor can `_` within a word (snake_case, which abounds in code).
 */
function activeRun(char: string, before: string, after: string): boolean {
  const spaceBefore = before === '' || SPACE.test(before);
  const spaceAfter = after === '' || SPACE.test(after);
  if (spaceBefore && spaceAfter) return false;
  return !(char === '_' && WORD.test(before) && WORD.test(after));
}

/**
 * The first limit of `MARKDOWN_LIMITS` that `body` goes past, or undefined: one pass over the text. Code is counted
 * like the rest (telling it apart exactly would take the parser), so the limits leave room for long code too.
 */
export function markdownLimitExceeded(body: string): MarkdownLimit | undefined {
  let runs = 0;
  let brackets = 0;
  for (const line of body.split('\n')) {
    const markers = CONTAINER_MARKERS.exec(line)?.[0];
    if (markers && (markers.match(MARKER)?.length ?? 0) > MARKDOWN_LIMITS.nesting) return 'nesting';
    // Link labels do not run past a blank line, which ends the paragraph.
    if (line.trim() === '') brackets = 0;
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (char === '*' || char === '_' || char === '~') {
        let end = i + 1;
        while (line[end] === char) end++;
        if (end - i > MARKDOWN_LIMITS.delimiterRun) return 'delimiterRun';
        if (activeRun(char, line[i - 1] ?? '', line[end] ?? '') && ++runs > MARKDOWN_LIMITS.delimiterRuns) {
          return 'delimiterRuns';
        }
        i = end - 1;
      } else if (char === '\\') {
        i++; // An escaped character is text.
      } else if (char === '[') {
        if (++brackets > MARKDOWN_LIMITS.brackets) return 'brackets';
      } else if (char === ']') {
        brackets = Math.max(0, brackets - 1);
      }
    }
  }
  return undefined;
}

/** Whether a body may go through the Markdown parser; one that may not is shown as the plain text it is. */
export function canRenderMarkdown(body: string): boolean {
  return markdownLimitExceeded(body) === undefined;
}
