import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../i18n/en';
import { MarkdownBody } from './MarkdownBody';

beforeAll(async () => {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en } },
    lng: 'en',
    interpolation: { escapeValue: false },
  });
});

function render(body: string, id = 'room-1'): string {
  return renderToStaticMarkup(createElement(MarkdownBody, { id, body }));
}

describe('MarkdownBody', () => {
  it('renders Markdown, with a line break for every newline', () => {
    const html = render('**bold** and _em_ and ~~gone~~\nnext line\n\n- one\n- two\n\n`code`');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<del>gone</del>');
    expect(html).toContain('<br/>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<code>code</code>');
  });

  it('renders code blocks and gfm tables, the table in a box of its own', () => {
    const html = render('```ts\nconst a = 1 < 2;\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |');
    expect(html).toContain('<pre><code class="language-ts">const a = 1 &lt; 2;\n</code></pre>');
    expect(html).toMatch(/<div class="md-table"><table>.*<th>a<\/th>.*<td style="text-align:right">2<\/td>/s);
  });

  it('typesets inline and display math with KaTeX', () => {
    const html = render('Energy $E = mc^2$ and\n\n$$\n\\sum_i x_i\n$$\n\n```math\na^2\n```');
    expect(html.match(/class="katex"/g)).toHaveLength(3);
    expect(html.match(/class="katex-display"/g)).toHaveLength(2);
    expect(html).toContain('<annotation encoding="application/x-tex">E = mc^2</annotation>');
  });

  it('takes $$…$$ on one line for display math, without line breaks around it', () => {
    const html = render('Below:\n$$\\int_0^1 x^2\\,dx = \\tfrac13$$\nAbove. And $$x$$ alone, and $y$ inline.');
    expect(html.match(/class="katex-display"/g)).toHaveLength(2);
    expect(html.match(/class="katex"/g)).toHaveLength(3);
    expect(html).not.toContain('<br/>');
  });

  it('never renders raw HTML: it shows as the text it is, in paragraphs, line breaks kept', () => {
    const html = render(
      '<img src=x onerror=alert(1)>\n\n<script>window.__pwned=1</script>\n\n<div>\n<iframe src="https://evil.example">\n</div>\n\nhi <b onclick="x()">b</b>',
    );
    expect(html).not.toMatch(/<(img|script|iframe|div|b)[\s>]|<[^>]*\son\w+=/);
    expect(html).toContain('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(html).toContain('<p>&lt;script&gt;window.__pwned=1&lt;/script&gt;</p>');
    expect(html).toContain(
      '<p>&lt;div&gt;<br/>\n&lt;iframe src=&quot;https://evil.example&quot;&gt;<br/>\n&lt;/div&gt;</p>',
    );
    expect(html).toContain('<p>hi &lt;b onclick=&quot;x()&quot;&gt;b&lt;/b&gt;</p>');
  });

  it('keeps links to http, https and mailto, opening outside the app without opener or referrer', () => {
    const html = render('[doc](https://example.org) <mailto:a@example.org> www.example.com');
    expect(html).toContain(
      '<a href="https://example.org/" target="_blank" rel="noopener noreferrer nofollow" title="https://example.org/">doc</a>',
    );
    expect(html).toContain('href="mailto:a@example.org"');
    expect(html).toContain('href="http://www.example.com/"');
  });

  it('turns links to other schemes and relative addresses into plain text', () => {
    const html = render(
      '[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](javascript&colon;alert(1)) [d](data:text/html,x) ' +
        '[e](vbscript:x) [f](/api/me) [g](//evil.example) <javascript:alert(1)>',
    );
    expect(html).not.toContain('<a ');
    expect(html).not.toMatch(/href=/);
    for (const text of ['>a<', '>b<', '>c<', '>d<', '>e<', '>f<', '>g<']) expect(html).toContain(text);
    expect(html).toContain('class="md-blocked"');
  });

  it('never loads images: their alt text becomes a link to them', () => {
    const html = render(
      '![a cat](https://tracker.example/pixel.png) ![](https://example.org/b.png) ![c](javascript:x)',
    );
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '<a class="md-image" href="https://tracker.example/pixel.png" target="_blank" rel="noopener noreferrer nofollow" title="https://tracker.example/pixel.png"><span class="md-image-tag">Image</span>a cat</a>',
    );
    expect(html).toContain('<span class="md-image-tag">Image</span>https://example.org/b.png</a>');
    expect(html).toMatch(/<span class="md-image md-blocked"[^>]*><span class="md-image-tag">Image<\/span>c<\/span>/);
  });

  it('does not nest a link in a link for an image inside one', () => {
    const html = render('[![badge](https://example.org/b.svg)](https://example.org)');
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain('<span class="md-image" title="https://example.org/b.svg">');
  });

  it('shows a formula it will not typeset as its source, saying why', () => {
    const html = render('$\\def\\a{xx}\\a$ and $ok$');
    expect(html).toContain('data-math-skipped="macro"');
    expect(html).toContain('title="Formula not typeset: macro definitions are not allowed"');
    expect(html.match(/class="katex"/g)).toHaveLength(1);
  });

  it('shows a body nested deeper than the parser can take as plain text', () => {
    const body = `${'> '.repeat(100)}**x**`;
    expect(render(body)).toBe(`<span class="plain-text">${'&gt; '.repeat(100)}**x**</span>`);
  });

  it('gives footnote ids of the message’s own, so that two messages never share one', () => {
    const html = render('A claim.[^1]\n\n[^1]: The source.', 'room:7');
    expect(html).toContain('href="#m-room_7-fn-1"');
    expect(html).toContain('id="m-room_7-fn-1"');
    expect(html).toContain('id="m-room_7-footnote-label"');
    expect(html).toContain('aria-describedby="m-room_7-footnote-label"');
    expect(html).not.toMatch(/target="_blank"[^>]*>1</);
  });
});
