export interface BackoffOptions {
  /** Ceiling of the first retry's delay (ms). */
  baseMs: number;
  /** Largest ceiling (ms). */
  capMs: number;
}

/** 250 ms, doubling up to 10 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 10_000 };

/**
 * Delay before reconnection attempt `attempt` (0-based): uniformly random below min(cap, base * 2^attempt).
 * "Full jitter" spreads out the clients that one server restart dropped at the same instant, so they do not
 * all come back in the same millisecond and knock the next node over.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
