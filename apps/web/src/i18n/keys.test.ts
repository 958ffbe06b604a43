import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';

/** Every leaf key of a nested string table, as "a.b.c". */
function keys(table: object, prefix = ''): string[] {
  return Object.entries(table).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`),
  );
}

/** Interpolated names in each string, e.g. "{{name}}". */
function placeholders(table: object): Record<string, string[]> {
  const text = (path: string, root: object) =>
    path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as string;
  return Object.fromEntries(
    keys(table).map((path) => [path, [...text(path, table).matchAll(/{{(\w+)}}/g)].map((m) => m[1]!).sort()]),
  );
}

describe('translations', () => {
  it('have exactly the same keys in French as in English', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
  });

  it('use the same placeholders in both languages', () => {
    expect(placeholders(fr)).toEqual(placeholders(en));
  });

  it('leave no string empty', () => {
    const text = (path: string, root: object) =>
      path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
    for (const table of [en, fr]) {
      for (const path of keys(table)) expect(String(text(path, table)).trim(), path).not.toBe('');
    }
  });
});
