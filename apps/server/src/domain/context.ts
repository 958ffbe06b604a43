import type { LimitTier, Message, User } from '@salon/protocol';
import type { Db } from '../store/db.js';
import type { RunPrepared } from '../store/prepared.js';
import type { Limits } from './limits.js';
import type { BodySealer } from './sealing.js';
import type { SecurityEvent } from './security.js';

/** What the domain announces after a commit; the realtime layer fans it out to every process. */
export interface Notifier {
  messagePosted(message: Message): void;
  /**
   * A room event. `endsSubscriptionOf` names the member whose subscriptions to the room end with it ('*' for
   * everyone, when the room is deleted).
   */
  roomEvent(roomId: string, kind: string, details: Record<string, unknown>, endsSubscriptionOf?: string): void;
  /** An event for one user's sockets wherever they are connected (e.g. an invitation arrived). */
  userEvent(userId: string, kind: string, details: Record<string, unknown>): void;
  typing(roomId: string, user: User): void;
  sessionRevoked(userId: string, sessionId: string): void;
}

/** Everything a domain action needs from the outside world. */
export interface DomainContext {
  db: Db;
  /** Runs the hot paths' prepared statements (store/prepared.ts). */
  prepared: RunPrepared;
  notify: Notifier;
  limits: Limits;
  /** Seals plaintext rooms' message bodies at rest and opens them again (crypto-shredding on expiry). */
  sealer: BodySealer;
  /** Records a security event and runs the detection rules (never throws, never blocks the request). */
  security(event: SecurityEvent): void;
  /** The clock, injectable so tests can move time. */
  now(): Date;
  /** Batches of sends committed at once (default 1; more lets a batch waiting on a room's lock not hold up all). */
  sendBatchesInFlight?: number;
  /**
   * On a busy process, how long the first send of a batch waits for others (default 2 ms). Worth more where a
   * statement's fixed cost is high: embedded, a prepared one costs about 0.5 ms plus a hop to the database's
   * thread and back (3 ms measured best there: 2 ms cost more CPU, 5 ms only added latency).
   */
  sendLingerMs?: number;
  /**
   * The highest seq of a room this process has seen announced, if it follows the room (any process's sends): lets
   * a send predict its seq when other processes send to the same room.
   */
  lastSeqHint?: (roomId: string) => number | undefined;
  /** The platform requires a second factor (`SALON_REQUIRE_TOTP=1`): accounts without one may only enrol. */
  requireTotp?: boolean;
}

/** The authenticated caller of an action. */
export interface Actor {
  user: User;
  sessionId: string;
  /** The client's address, when known (for security events). */
  ip?: string;
  /** Which send budget applies (read when the session is checked: a socket keeps the tier it opened with). */
  tier?: LimitTier;
  /** The account has a confirmed second factor. */
  totpEnabled?: boolean;
}
