import type { ErrorCode } from '@salon/protocol';

/** A refusal that the caller may see: its code and message go on the wire as they are. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields for the client, e.g. `retryAfterMs` on `rate_limited`. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'room') => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'you may not do this here') => new AppError('forbidden', message);
export const invalid = (message: string) => new AppError('invalid_request', message);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are opaque to clients; anything not shaped like ours cannot name a row, so it is simply not found. */
export function isId(value: string): boolean {
  return UUID_RE.test(value);
}

/** True for PostgreSQL's unique-violation error, whichever driver raised it. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
