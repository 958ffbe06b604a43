import type { EventFrame, TypingNoticeFrame } from '@salon/protocol';
import type { ReceivedMessage, RoomCodec } from '../codec.js';
import type { SalonError } from '../errors.js';
import type { ServerList } from '../servers.js';
import type { BackoffOptions } from './backoff.js';
import type { HeartbeatOptions } from './heartbeat.js';

/** `connecting` (first attempt), `open`, `reconnecting` (waiting or retrying after a loss), `closed`. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Events of the real-time connection. */
export type RealtimeEvents = {
  /** A room's next message: each (roomId, seq) once, in increasing seq. */
  message: (message: ReceivedMessage) => void;
  event: (event: EventFrame) => void;
  typing: (notice: TypingNoticeFrame) => void;
  state: (state: ConnectionState) => void;
  /** A subscription was (re)established; `lastSeq` is the room's head at that moment. */
  subscribed: (roomId: string, lastSeq: number) => void;
  /** The server refused or ended a subscription for good (e.g. `forbidden` after a kick); it is dropped. */
  subscriptionError: (roomId: string, error: SalonError) => void;
  /** The session was revoked or expired (close 4401 or a 401 upgrade): reconnecting stops. */
  sessionEnded: () => void;
  /** An error frame that answers nothing the client is waiting for (e.g. a refused typing notice). */
  error: (error: SalonError) => void;
};

export interface RealtimeOptions {
  servers: ServerList;
  token: () => string | undefined;
  codec: RoomCodec;
  backoff?: Partial<BackoffOptions>;
  heartbeat?: Partial<HeartbeatOptions>;
  /** A send not acknowledged within this many ms is rejected with `timeout` (default 30 s). */
  sendTimeoutMs?: number;
  /** An upgrade not finished within this many ms counts as a failed attempt (default 10 s). */
  connectTimeoutMs?: number;
  random?: () => number;
}

/** Options of one send. */
export interface SendOptions {
  /** Reuse to retry a send whose outcome is unknown (after a `timeout`): the server stores it once. */
  clientMsgId?: string;
  ttlSeconds?: number;
}
