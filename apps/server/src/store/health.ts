/** Error codes that mean "the database is not reachable right now", not "the request is wrong". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03']);

/** Whether an error comes from losing the database (the request may succeed later). */
export function isDatabaseDown(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (
      typeof e.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect/i.test(e.message)
    ) {
      return true;
    }
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * What may be logged of a database error: driver code and message, and the SQL text, never the parameters
 * (they carry message bodies, token hashes and other data that must not reach logs).
 */
export function redactDbError(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; message?: string; code?: string; query?: string; cause?: unknown } | undefined;
  const cause = e?.cause as { message?: string; code?: string } | undefined;
  if (e?.query === undefined) return { name: e?.name, message: e?.message, code: e?.code };
  return { name: e.name, query: e.query, code: cause?.code ?? e.code, cause: cause?.message };
}

/** PostgreSQL's refusals of text it cannot represent (NUL bytes, invalid or untranslatable characters). */
export function isUnstorableText(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (e.code === '22021' || e.code === '22P05') return true;
    e = e.cause as typeof e;
  }
  return false;
}
