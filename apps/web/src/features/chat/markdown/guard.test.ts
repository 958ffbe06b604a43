import { describe, expect, it } from 'vitest';
import { canRenderMarkdown, MARKDOWN_LIMITS, markdownLimitExceeded } from './guard';

const { nesting, delimiterRun, delimiterRuns, brackets } = MARKDOWN_LIMITS;

describe('markdownLimitExceeded', () => {
  it('lets ordinary messages through', () => {
    for (const body of [
      'plain text\nmore',
      '- a\n  - b\n    - c\n> quote\n> > nested',
      '**bold**, _em_, ~~gone~~, `code`, [link](https://example.org) and ![img](https://example.org/a.png)',
      '*emphasis* and -1 and 3.14 and a - b - c',
      '---\n***\n___',
      '| a | b |\n|---|---|\n| 1 | 2 |',
    ]) {
      expect(markdownLimitExceeded(body), body).toBeUndefined();
    }
  });

  it('counts the containers opened at the start of a line', () => {
    expect(markdownLimitExceeded(`${'> '.repeat(nesting)}x`)).toBeUndefined();
    expect(markdownLimitExceeded(`${'> '.repeat(nesting + 1)}x`)).toBe('nesting');
    expect(markdownLimitExceeded(`${'>'.repeat(nesting + 1)}x`)).toBe('nesting');
    expect(markdownLimitExceeded(`ok\n${'1. - '.repeat(11)}x`)).toBe('nesting');
    expect(markdownLimitExceeded(`${'- '.repeat(8000)}x`)).toBe('nesting');
  });

  it('bounds runs of emphasis delimiters, and how many there are', () => {
    expect(markdownLimitExceeded(`${'*'.repeat(delimiterRun)}x`)).toBeUndefined();
    expect(markdownLimitExceeded(`${'*'.repeat(delimiterRun + 1)}x`)).toBe('delimiterRun');
    expect(markdownLimitExceeded('_'.repeat(delimiterRun + 1))).toBe('delimiterRun');
    expect(markdownLimitExceeded('*a'.repeat(delimiterRuns))).toBeUndefined();
    expect(markdownLimitExceeded('*a'.repeat(delimiterRuns + 1))).toBe('delimiterRuns');
    expect(markdownLimitExceeded(`${'*_'.repeat(4000)}x`)).toBe('delimiterRuns');
    // Escaped delimiters are text.
    expect(markdownLimitExceeded('\\*a'.repeat(delimiterRuns + 1))).toBeUndefined();
  });

  it('bounds the nesting of brackets within a paragraph', () => {
    expect(markdownLimitExceeded(`${'['.repeat(brackets)}x${']'.repeat(brackets)}`)).toBeUndefined();
    expect(markdownLimitExceeded(`${'['.repeat(brackets + 1)}x`)).toBe('brackets');
    expect(markdownLimitExceeded('[a] '.repeat(1000))).toBeUndefined();
    expect(markdownLimitExceeded(`${'['.repeat(brackets)}\n\n${'['.repeat(brackets)}`)).toBeUndefined();
    expect(markdownLimitExceeded('\\['.repeat(brackets + 1))).toBeUndefined();
  });

  it('does not count delimiter runs that cannot open or close emphasis, as code has many', () => {
    const code = 'total = price * quantity  # my_snake_case_name\n';
    expect(markdownLimitExceeded(code.repeat(delimiterRuns))).toBeUndefined();
    expect(markdownLimitExceeded('a * b '.repeat(delimiterRuns + 1))).toBeUndefined();
    expect(markdownLimitExceeded('a_b '.repeat(delimiterRuns + 1))).toBeUndefined();
    expect(markdownLimitExceeded('*p = *q; '.repeat(delimiterRuns))).toBe('delimiterRuns');
  });

  it('decides in linear time, even on a hostile body', () => {
    const started = performance.now();
    for (const body of [
      ' '.repeat(16_000),
      '1'.repeat(16_000),
      ' -'.repeat(8_000),
      '`'.repeat(16_000),
      'a\n'.repeat(8000),
    ]) {
      markdownLimitExceeded(body);
    }
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('canRenderMarkdown', () => {
  it('is false exactly when a limit is exceeded', () => {
    expect(canRenderMarkdown('**fine**')).toBe(true);
    expect(canRenderMarkdown('*a'.repeat(delimiterRuns + 1))).toBe(false);
  });
});
