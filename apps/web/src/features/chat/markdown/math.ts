import type { Element, ElementContent, Root, RootContent } from 'hast';
import type { KatexOptions } from 'katex';

/**
 * KaTeX settings for formulas written by other people.
 *
 * - `trust: false`: no \href, \url, \includegraphics, \htmlClass, \htmlId, \htmlStyle or \htmlData.
 * - `throwOnError: false` and `strict: 'ignore'`: a broken formula shows its source in the error colour instead of
 *   breaking the message. (rehype-katex itself first renders with `throwOnError: true` to record the error, then again without.)
 * - `maxSize`: user-given sizes (\rule, \kern, \hspace, …) are capped, in em, so that a formula cannot cover the page.
 * - `maxExpand`: macro expansions per formula (KaTeX's default is 1000). It bounds what built-in macros expand to;
 *   real formulas stay well below it. It is not enough against user-defined macros, which `mathSkipReason` refuses
 *   outright (see MACRO_DEFINITION).
 */
export const KATEX_OPTIONS = {
  output: 'htmlAndMathml',
  throwOnError: false,
  trust: false,
  strict: 'ignore',
  // The app's own error colour, which follows the light or dark theme (KaTeX's default red is unreadable on dark).
  errorColor: 'var(--error)',
  maxSize: 20,
  maxExpand: 300,
} as const satisfies KatexOptions;

/**
 * How much TeX one message may have typeset, in units of `mathCost`; what lies beyond is shown as its source.
 *
 * The time a formula takes is mostly not KaTeX's but that of turning its output into DOM, so what is bounded is
 * the size of that output, which grows with the formula's length: about 100–150 bytes of HTML for each character of
 * TeX, and 500 or so for each cell or row of a matrix. With these limits a message of the worst kind costs a reader
 * well under a second; real messages, a few formulas of a few dozen to a few hundred characters, are far below.
 */
export interface MathLimits {
  /** Cost of one formula. */
  formula: number;
  /** Cost of all the typeset formulas of one message together. */
  message: number;
}

export const MATH_LIMITS: MathLimits = { formula: 1000, message: 1500 };

/** Extra cost of each `&` and `\\` (a cell or a row of a matrix or an aligned environment), on top of its length. */
const CELL_COST = 3;

/** The cost of typesetting a formula: its length, plus extra for the cells and rows of matrices. */
export function mathCost(tex: string): number {
  const cells = tex.match(/&|\\\\/g)?.length ?? 0;
  return tex.length + CELL_COST * cells;
}

/**
 * Macro definitions are the one way to multiply TeX: a short \def repeated by another expands to far more symbols
 * than the message has characters (a 800-character formula takes KaTeX seconds, a 2000-character one minutes,
 * whatever `maxExpand`). They are rare in chat, so a formula that uses one is not typeset at all.
 * (A control sequence's name is letters and @ in KaTeX, so `\define` or `\letter` are other names.)
 */
const MACRO_DEFINITION =
  /\\(?:[egx]?def|let|futurelet|global|long|newcommand|renewcommand|providecommand)(?![A-Za-z@])/;

export type MathSkipReason = 'too-long' | 'over-budget' | 'macro';

/** Why a formula is not typeset, given the cost of the math already typeset in the same message; or undefined. */
export function mathSkipReason(
  tex: string,
  used: number,
  limits: MathLimits = MATH_LIMITS,
): MathSkipReason | undefined {
  const cost = mathCost(tex);
  if (cost > limits.formula) return 'too-long';
  if (MACRO_DEFINITION.test(tex)) return 'macro';
  if (used + cost > limits.message) return 'over-budget';
  return undefined;
}

/** The classes by which remark-math marks its output for rehype-katex (`language-math` also comes from ```math). */
const MATH_CLASSES: ReadonlySet<string> = new Set(['math-inline', 'math-display', 'language-math']);

function classesOf(element: Element): string[] {
  const value = element.properties.className;
  return Array.isArray(value) ? value.map(String) : [];
}

function textOf(node: ElementContent | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') return node.children.map(textOf).join('');
  return '';
}

/**
 * A rehype plugin, to run just before rehype-katex: keeps the formulas of a message within `limits` and without
 * macro definitions. A formula that is not typeset loses its math classes, so rehype-katex leaves it alone and it
 * shows as code (inline or block, as it was written), marked with `math-source` and `data-math-skipped="reason"`.
 */
export function rehypeMathLimits(limits: MathLimits = MATH_LIMITS) {
  return (tree: Root): undefined => {
    let used = 0;
    const visit = (node: Root | Element): void => {
      for (const child of node.children) {
        if (child.type !== 'element') continue;
        const classes = classesOf(child);
        if (!classes.some((name) => MATH_CLASSES.has(name))) {
          visit(child);
          continue;
        }
        const tex = textOf(child);
        const reason = mathSkipReason(tex, used, limits);
        if (reason) {
          child.properties.className = [...classes.filter((name) => !MATH_CLASSES.has(name)), 'math-source'];
          child.properties.dataMathSkipped = reason;
        } else {
          used += mathCost(tex);
        }
      }
    };
    visit(tree);
  };
}
