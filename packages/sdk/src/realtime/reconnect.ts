import { CLOSE_CODES } from '@salon/protocol';
import { type BackoffOptions, backoffDelay } from './backoff.js';

/** What to do after a socket closed (other than for a session that ended). */
export interface ReconnectPlan {
  /** Try the next server URL rather than the same one. */
  nextServer: boolean;
  delayMs: number;
  /** The attempt counter to keep for the next failure. */
  attempt: number;
}

/** ws's code when the connection dropped without a closing handshake (killed peer, reset, refused upgrade). */
const ABNORMAL = 1006;

/**
 * Reconnection policy. 1012: the node is going away on purpose, so go to the next one at once. A refused
 * attempt or a dropped connection: the node may be dead, so the next attempt tries another one, after backoff.
 * Anything else (e.g. 4008, too slow: the node is fine): the same node, after backoff.
 */
export function planReconnect(
  close: { code: number; opened: boolean; attempt: number },
  backoff: BackoffOptions,
  random?: () => number,
): ReconnectPlan {
  if (close.code === CLOSE_CODES.serviceRestart) return { nextServer: true, delayMs: 0, attempt: 0 };
  return {
    nextServer: !close.opened || close.code === ABNORMAL,
    delayMs: backoffDelay(close.attempt, backoff, random),
    attempt: close.attempt + 1,
  };
}
