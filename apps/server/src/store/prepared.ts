/**
 * Statements whose text never changes, for the hottest paths. Each connection parses and plans one once, then
 * only binds and runs it: with PGlite a statement's parse and plan cost more than its execution (a batch of sends
 * over eight rooms: 2.7 ms as a fresh statement, 1.1 ms prepared). Connections plan them generically
 * (`plan_cache_mode = force_generic_plan`), so a prepared statement must be one whose single plan suits every
 * parameter: variable-length input goes in as arrays (`unnest`), never as a text that grows with it.
 */
export interface Prepared {
  /** Unique among the prepared statements; the same name always carries the same text. */
  readonly name: string;
  readonly text: string;
}

/** A value in PostgreSQL's text form, as the protocol carries parameters and results; null is SQL NULL. */
export type PgText = string | null;

/** Runs a prepared statement with its parameters; resolves to its rows, each an array of its columns' values. */
export type RunPrepared = (statement: Prepared, params: PgText[]) => Promise<PgText[][]>;

/** What the connections of both drivers set so that prepared statements are planned once. */
export const PREPARED_SETTINGS: Readonly<Record<string, string>> = { plan_cache_mode: 'force_generic_plan' };

type Scalar = string | number | boolean | Date | null | undefined;

/** A scalar parameter in text form (undefined is NULL). */
export function pgText(value: Scalar): PgText {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/**
 * A one-dimensional array parameter in text form: every element quoted (so commas, braces, spaces and the word
 * NULL stay data), backslashes and double quotes escaped, NULL for null.
 */
export function pgArray(values: readonly Scalar[]): string {
  const items = values.map((v) => {
    const text = pgText(v);
    return text === null ? 'NULL' : `"${text.replace(/[\\"]/g, '\\$&')}"`;
  });
  return `{${items.join(',')}}`;
}
