const BASE_MS = 500;
const MAX_MS = 10_000;

/**
 * Delay before reconnection attempt number `attempt` (0-based): exponential from 0.5 s, capped at 10 s, with
 * "equal jitter" (half fixed, half random) so that clients dropped together by a restart do not return together.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_MS, BASE_MS * 2 ** Math.max(0, attempt));
  return ceiling / 2 + random() * (ceiling / 2);
}
