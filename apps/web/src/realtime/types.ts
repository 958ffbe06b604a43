import type { EventFrame, Message, TypingNoticeFrame } from '@salon/protocol';
import type { ApiError } from '../api/ApiError';

export type ConnectionStatus = 'connected' | 'reconnecting';

/** The part of the browser WebSocket that the client uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: (() => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: (() => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface RealtimeOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** Asked before each reconnection attempt; false means the session is gone, so stop and report it. */
  isSessionAlive?: () => Promise<boolean>;
  random?: () => number;
  /** Delay in ms before reconnection attempt `attempt` (0-based); defaults to `backoffDelay` with `random`. */
  backoff?: (attempt: number) => number;
  pingIntervalMs?: number;
}

export interface SendAck {
  seq: number;
  createdAt: string;
}

export type RealtimeEvents = {
  message: (message: Message) => void;
  event: (event: EventFrame) => void;
  typing: (notice: TypingNoticeFrame) => void;
  status: (status: ConnectionStatus) => void;
  sessionEnded: () => void;
  subscribeError: (roomId: string, error: ApiError) => void;
  /** An error frame that answers no request we track (e.g. a rate-limited typing notice). */
  error: (error: ApiError) => void;
};
