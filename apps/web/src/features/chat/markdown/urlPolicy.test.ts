import { describe, expect, it } from 'vitest';
import { EXTERNAL_REL, isExternal, safeUrl } from './urlPolicy';

describe('safeUrl', () => {
  it('keeps absolute http, https and mailto addresses, normalised as the browser would follow them', () => {
    expect(safeUrl('https://example.org')).toBe('https://example.org/');
    expect(safeUrl('http://example.org/a?b=c#d')).toBe('http://example.org/a?b=c#d');
    expect(safeUrl('HTTPS://Example.ORG/Path')).toBe('https://example.org/Path');
    expect(safeUrl('mailto:alice@example.org')).toBe('mailto:alice@example.org');
  });

  it('keeps fragments, which only move within the page (footnotes)', () => {
    expect(safeUrl('#m-1-fn-note')).toBe('#m-1-fn-note');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0000javascript:alert(1)',
    'javascript&colon;alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'data:image/png;base64,iVBORw0KGgo=',
    'file:///etc/passwd',
    'blob:https://example.org/0b1c',
    'ftp://example.org/file',
    'irc://irc.example.org/room',
    'tel:+33123456789',
  ])('drops %j', (url) => {
    expect(safeUrl(url)).toBe('');
  });

  it('drops relative and protocol-relative addresses, which would resolve against Salon itself', () => {
    for (const url of ['/api/me', 'api/me', './x', '../x', '//evil.example/x', '?q=1', '']) {
      expect(safeUrl(url), url).toBe('');
    }
  });

  it('drops what the URL parser rejects', () => {
    expect(safeUrl('http://')).toBe('');
    expect(safeUrl('https://exa mple.org')).toBe('');
  });
});

describe('isExternal', () => {
  it('tells links that leave the page from fragments and removed links', () => {
    expect(isExternal('https://example.org/')).toBe(true);
    expect(isExternal('mailto:a@example.org')).toBe(true);
    expect(isExternal('#m-1-fn-1')).toBe(false);
    expect(isExternal('')).toBe(false);
  });

  it('pairs with a rel that cuts the opener, the referrer and any endorsement', () => {
    expect(EXTERNAL_REL.split(' ').sort()).toEqual(['nofollow', 'noopener', 'noreferrer']);
  });
});
