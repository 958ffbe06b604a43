import type { FrameId, SendFrame } from '@salon/protocol';
import { SalonError } from '../errors.js';

/** The server's acknowledgement of a stored message. */
export interface SendResult {
  seq: number;
  createdAt: string;
  clientMsgId: string;
  /** True when an earlier attempt had already been stored (this answer repeats its seq). */
  duplicate?: boolean;
}

interface Pending {
  frame: SendFrame & { clientMsgId: string };
  resolve: (result: SendResult) => void;
  reject: (error: SalonError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Messages sent but not yet acknowledged, in send order. Each stays until an ack, an error frame or its
 * give-up timeout settles it, so a message is never dropped without the caller hearing of it; after a
 * reconnect all of them are sent again with their clientMsgId, which the server uses to store each only once.
 */
export class Outbox {
  private readonly pending = new Map<FrameId, Pending>();

  constructor(private readonly timeoutMs: number) {}

  /** Queues a frame; the promise settles with its ack, its error or the timeout. */
  add(frame: SendFrame & { clientMsgId: string }): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const seconds = Math.round(this.timeoutMs / 100) / 10;
        this.fail(frame.id, new SalonError('timeout', `no acknowledgement within ${seconds} s`));
      }, this.timeoutMs);
      this.pending.set(frame.id, { frame, resolve, reject, timer });
    });
  }

  /** Every unacknowledged frame, oldest first (the server keeps one socket's sends to a room in order). */
  frames(): SendFrame[] {
    return [...this.pending.values()].map((p) => p.frame);
  }

  /** Settles a send with its ack; false if the id is not a pending send. */
  ack(id: FrameId, result: Record<string, unknown>): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    if (typeof result.seq !== 'number' || typeof result.createdAt !== 'string') {
      entry.reject(
        new SalonError('invalid_response', 'send acknowledged without seq', undefined, entry.frame.clientMsgId),
      );
      return true;
    }
    const ack: SendResult = { seq: result.seq, createdAt: result.createdAt, clientMsgId: entry.frame.clientMsgId };
    if (result.duplicate === true) ack.duplicate = true;
    entry.resolve(ack);
    return true;
  }

  /** Rejects a send; false if the id is not a pending send. */
  fail(id: FrameId | undefined, error: SalonError): boolean {
    const entry = id === undefined ? undefined : this.take(id);
    if (!entry) return false;
    entry.reject(new SalonError(error.code, error.message, error.status, entry.frame.clientMsgId));
    return true;
  }

  /** Rejects every pending send (the client is closing or the session ended). */
  failAll(error: SalonError): void {
    for (const id of [...this.pending.keys()]) this.fail(id, error);
  }

  private take(id: FrameId): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
