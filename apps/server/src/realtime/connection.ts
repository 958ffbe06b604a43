import type { ErrorCode, FrameId, ServerFrame } from '@salon/protocol';
import { CLOSE_CODES } from '@salon/protocol';
import type { WebSocket } from 'ws';
import type { Actor } from '../domain/context.js';
import type { Subscription } from './feed.js';

/** One authenticated WebSocket and its room subscriptions. */
export class Connection {
  readonly subs = new Map<string, Subscription>();
  /** Per-room chain of sends, so one client's messages to a room are stored in the order it sent them. */
  readonly sendChains = new Map<string, Promise<void>>();
  alive = true;
  closed = false;

  /**
   * @param maxBufferedBytes above this many bytes waiting in ws buffers the client is not keeping up: it is
   *   closed (it will resume with `since`) rather than letting server memory grow without bound.
   */
  constructor(
    readonly ws: WebSocket,
    readonly actor: Actor,
    private readonly maxBufferedBytes: number,
  ) {}

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Sends an already serialized frame (the fan-out path: one buffer shared by every socket). */
  sendRaw(data: string | Buffer): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.close(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
      return;
    }
    this.ws.send(data, { binary: false });
  }

  /** True when half the buffer allowance is used: bulk senders (replay) pause until it drains. */
  get congested(): boolean {
    return this.ws.bufferedAmount > this.maxBufferedBytes / 2;
  }

  /** Resolves once the socket's buffer is below half the allowance again (or the socket closed). */
  async drained(): Promise<void> {
    while (this.congested && !this.closed) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  error(id: FrameId | undefined, code: ErrorCode, message: string, details?: Record<string, unknown>): void {
    this.send({ ...details, type: 'error', ...(id === undefined ? {} : { id }), code, message });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
  }
}
