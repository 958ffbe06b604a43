const MIN_MS = 500;
const MAX_MS = 10_000;

/**
 * Delay before reconnection attempt number `attempt` (0-based): 0.5-1 s, then doubling up to 5-10 s. The
 * "equal jitter" (half fixed, half random) keeps clients that a restart dropped together from returning together.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_MS, 2 * MIN_MS * 2 ** Math.max(0, attempt));
  return ceiling / 2 + random() * (ceiling / 2);
}
