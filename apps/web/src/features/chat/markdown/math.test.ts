import type { Element, Root } from 'hast';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { KATEX_OPTIONS, MATH_LIMITS, mathCost, mathSkipReason, rehypeMathLimits } from './math';

/** Inline math as remark-math hands it to rehype: `<code class="language-math math-inline">`. */
function inline(tex: string): Element {
  return {
    type: 'element',
    tagName: 'code',
    properties: { className: ['language-math', 'math-inline'] },
    children: [{ type: 'text', value: tex }],
  };
}

/** Display math: `<pre><code class="language-math math-display">`. */
function display(tex: string): Element {
  return {
    type: 'element',
    tagName: 'pre',
    properties: {},
    children: [{ ...inline(tex), properties: { className: ['language-math', 'math-display'] } }],
  };
}

function paragraph(...children: Element[]): Element {
  return { type: 'element', tagName: 'p', properties: {}, children };
}

function run(tree: Root, limits = MATH_LIMITS): Root {
  rehypeMathLimits(limits)(tree);
  return tree;
}

function mathNodes(tree: Root): Element[] {
  const found: Element[] = [];
  const walk = (node: Root | Element) => {
    for (const child of node.children) {
      if (child.type !== 'element') continue;
      if (child.tagName === 'code') found.push(child);
      walk(child);
    }
  };
  walk(tree);
  return found;
}

describe('mathSkipReason', () => {
  it('lets ordinary formulas through', () => {
    expect(mathSkipReason('E = mc^2', 0)).toBeUndefined();
    expect(mathSkipReason(String.raw`\int_0^1 x^2\,dx = \tfrac13`, 0)).toBeUndefined();
    expect(mathSkipReason(String.raw`\begin{pmatrix} a & b \\ c & d \end{pmatrix} \leq \dots`, 0)).toBeUndefined();
  });

  it('costs a formula its length, and more for each cell or row of a matrix', () => {
    expect(mathCost('x^2')).toBe(3);
    expect(mathCost(String.raw`\begin{matrix} a & b \\ c & d \end{matrix}`)).toBe(42 + 3 * 3);
  });

  it('refuses a formula over the cost limit, or one past what the message may typeset', () => {
    expect(mathSkipReason('x'.repeat(MATH_LIMITS.formula), 0)).toBeUndefined();
    expect(mathSkipReason('x'.repeat(MATH_LIMITS.formula + 1), 0)).toBe('too-long');
    expect(mathSkipReason('&'.repeat(MATH_LIMITS.formula / 4 + 1), 0)).toBe('too-long');
    expect(mathSkipReason('x'.repeat(10), MATH_LIMITS.message - 10)).toBeUndefined();
    expect(mathSkipReason('x'.repeat(11), MATH_LIMITS.message - 10)).toBe('over-budget');
  });

  it.each([
    String.raw`\def\a{xx}\a`,
    String.raw`\gdef\a{xx}`,
    String.raw`\edef\a{xx}`,
    String.raw`\xdef\a{xx}`,
    String.raw`\global\def\a{xx}`,
    String.raw`\long\def\a#1{#1#1}`,
    String.raw`\let\a=\b`,
    String.raw`\futurelet\a\b\c`,
    String.raw`\newcommand{\a}{xx}`,
    String.raw`\renewcommand\a{xx}`,
    String.raw`\providecommand{\a}{xx}`,
    String.raw`x + \def   \a{xx}`,
    String.raw`\def1`,
  ])('refuses macro definitions: %s', (tex) => {
    expect(mathSkipReason(tex, 0)).toBe('macro');
  });

  it('tells other commands that start the same from macro definitions', () => {
    for (const tex of [String.raw`\defined`, String.raw`\letter`, String.raw`\deg x`, String.raw`\left( x \right)`]) {
      expect(mathSkipReason(tex, 0), tex).toBeUndefined();
    }
  });
});

describe('rehypeMathLimits', () => {
  it('leaves formulas within the limits to rehype-katex', () => {
    const tree = run({ type: 'root', children: [paragraph(inline('a^2')), display('b^2')] });
    expect(mathNodes(tree).map((node) => node.properties.className)).toEqual([
      ['language-math', 'math-inline'],
      ['language-math', 'math-display'],
    ]);
  });

  it('turns the rest into code, marked with the reason, and counts only what is typeset', () => {
    const limits = { formula: 10, message: 12 };
    const tree = run(
      {
        type: 'root',
        children: [
          paragraph(inline('x'.repeat(11)), inline('a+b'), inline(String.raw`\def\a{b}`)),
          display('y'.repeat(9)),
          display('z'),
        ],
      },
      limits,
    );
    expect(mathNodes(tree).map((node) => [node.properties.className, node.properties.dataMathSkipped])).toEqual([
      [['math-source'], 'too-long'],
      [['language-math', 'math-inline'], undefined],
      [['math-source'], 'macro'],
      [['language-math', 'math-display'], undefined],
      [['math-source'], 'over-budget'],
    ]);
  });

  it('also limits ```math blocks, which rehype-katex typesets too', () => {
    const block: Element = {
      type: 'element',
      tagName: 'pre',
      properties: {},
      children: [
        {
          type: 'element',
          tagName: 'code',
          properties: { className: ['language-math'] },
          children: [{ type: 'text', value: String.raw`\newcommand\x{y}` }],
        },
      ],
    };
    const tree = run({ type: 'root', children: [block] });
    expect(mathNodes(tree)[0]!.properties.className).toEqual(['math-source']);
  });
});

describe('KaTeX settings', () => {
  const render = (tex: string) => katex.renderToString(tex, KATEX_OPTIONS);

  it('shows errors in place instead of throwing', () => {
    expect(render(String.raw`\frac{1}{`)).toContain('katex-error');
    expect(render(String.raw`\notacommand`)).toContain('color:var(--error)');
  });

  it('trusts no command that links, loads or styles with HTML', () => {
    for (const tex of [
      String.raw`\href{javascript:alert(1)}{x}`,
      String.raw`\url{https://example.org}`,
      String.raw`\includegraphics{https://example.org/a.png}`,
      String.raw`\htmlClass{message}{x}`,
      String.raw`\htmlStyle{position:fixed}{x}`,
      String.raw`\htmlId{root}{x}`,
      String.raw`\htmlData{a=b}{x}`,
    ]) {
      // Shown as an unknown command, in the error colour, with the TeX source as text in the MathML annotation.
      const html = render(tex);
      expect(html, tex).toContain('color:var(--error)');
      expect(html, tex).not.toMatch(/<a |href=|<img |src=|style="[^"]*position|id="root"|class="message"|data-a=/);
    }
  });

  it('caps user-given sizes', () => {
    const html = render(String.raw`\rule{500em}{500em}`);
    expect(html).not.toMatch(/width:500em|height:500em/);
    expect(html).toContain(`border-right-width:${KATEX_OPTIONS.maxSize}em`);
  });

  it('stops a macro bomb that slips past the definition check quickly, with an error', () => {
    // Expands to about 250 × 1000 symbols under KaTeX's default maxExpand (over a minute here); the limit cuts it.
    const bomb = `\\def\\a{${'x'.repeat(1000)}}\\def\\b{${'\\a'.repeat(480)}}\\b`;
    const started = performance.now();
    const html = render(bomb);
    expect(html).toContain('katex-error');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('typesets the largest formula the limits allow in bounded time', () => {
    const started = performance.now();
    render('x+'.repeat(MATH_LIMITS.formula / 2));
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
