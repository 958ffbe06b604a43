import type { Message } from '@salon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { redactDbError } from '../store/health.js';
import type { Connection } from './connection.js';
import type { EnvelopeHeader } from './envelope.js';

/** How long an out-of-order message waits for the ones before it before they are read from the store. */
const GAP_WAIT_MS = 25;
/** Page size when replaying from the store. */
const REPLAY_PAGE = 500;

export interface FeedStore {
  /** The room's last committed seq. */
  lastSeq(roomId: string): Promise<number>;
  /** Up to `limit` messages with seq > after, in order. */
  messagesAfter(roomId: string, after: number, limit: number): Promise<Message[]>;
}

/** One socket's subscription to one room: it has seen every seq up to `lastSent`. */
export class Subscription {
  live = false;
  catchingUp = false;
  ended = false;
  constructor(
    readonly conn: Connection,
    readonly feed: RoomFeed,
    public lastSent: number,
  ) {}

  /** Hot path: a live subscription takes exactly the next seq, and ignores what it already has. */
  offer(seq: number, frame: Buffer): void {
    if (!this.live || seq <= this.lastSent) return;
    if (seq === this.lastSent + 1) {
      this.lastSent = seq;
      this.conn.sendRaw(frame);
    } else {
      void this.feed.catchUp(this);
    }
  }
}

/**
 * The ordered stream of one room on this process. The broker may deliver out of order (two processes
 * publish independently) or drop notifications; the feed re-orders by seq and fills holes from the store,
 * so every subscription sees each seq once, in order.
 */
export class RoomFeed {
  /** Last seq delivered in order to the live subscriptions; null until read from the store. */
  head: number | null = null;
  readonly subs = new Set<Subscription>();
  private readonly pending = new Map<number, string>();
  private readonly early: Array<{ header: EnvelopeHeader; frame: string }> = [];
  private gapTimer: NodeJS.Timeout | null = null;
  private filling = false;
  /** Store reads of replays in flight, by the seq they start after (shared by concurrent replays). */
  private readonly replayReads = new Map<number, Promise<Array<{ seq: number; frame: Buffer }>>>();
  readonly ready: Promise<void>;

  constructor(
    readonly roomId: string,
    private readonly store: FeedStore,
    private readonly log: FastifyBaseLogger,
    subscribed: Promise<void>,
    private readonly onIdle: (feed: RoomFeed) => void,
  ) {
    // The head is read only once the broker subscription is active, so nothing committed after it is missed.
    this.ready = subscribed
      .then(() => store.lastSeq(roomId))
      .then((head) => {
        this.head = head;
        for (const e of this.early.splice(0)) this.onEnvelope(e.header, e.frame);
      });
  }

  onEnvelope(header: EnvelopeHeader, frame: string): void {
    if (this.head === null) {
      this.early.push({ header, frame });
      return;
    }
    if (header.k === 'm' && typeof header.s === 'number') this.onMessage(header.s, frame);
    else if (header.k === 't') this.broadcast(Buffer.from(frame), header.u);
    else if (header.k === 'e') this.onEvent(frame, header.u);
  }

  private onMessage(seq: number, frame: string): void {
    const head = this.head!;
    if (seq <= head) return;
    if (seq === head + 1) {
      this.deliver(seq, Buffer.from(frame));
      this.drainPending();
    } else {
      this.pending.set(seq, frame);
      this.gapTimer ??= setTimeout(() => void this.fillGap(), GAP_WAIT_MS);
    }
  }

  private deliver(seq: number, frame: Buffer): void {
    this.head = seq;
    for (const sub of this.subs) sub.offer(seq, frame);
  }

  private drainPending(): void {
    for (let next = this.pending.get(this.head! + 1); next !== undefined; next = this.pending.get(this.head! + 1)) {
      this.pending.delete(this.head! + 1);
      this.deliver(this.head! + 1, Buffer.from(next));
    }
    for (const seq of this.pending.keys()) if (seq <= this.head!) this.pending.delete(seq);
    if (this.pending.size === 0 && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  /** Reads the missing seqs from the store (they are committed: seqs commit in order). */
  private async fillGap(): Promise<void> {
    this.gapTimer = null;
    if (this.pending.size > 0) await this.fillTo(Math.max(...this.pending.keys()));
  }

  /** Catches up with the store's head, for notifications lost while the broker was away. */
  async resync(): Promise<void> {
    if (this.head === null) return;
    try {
      await this.fillTo(await this.store.lastSeq(this.roomId));
    } catch (err) {
      this.log.warn({ err: redactDbError(err), roomId: this.roomId }, 'resync failed');
    }
  }

  private async fillTo(upTo: number): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      while (this.head! < upTo) {
        const rows = await this.readAfter(this.head!);
        if (rows.length === 0) break;
        for (const m of rows) {
          if (m.seq > this.head!) this.deliver(m.seq, m.frame);
        }
        this.drainPending();
      }
    } catch (err) {
      this.log.warn({ err: redactDbError(err), roomId: this.roomId }, 'gap fill failed; retrying');
      this.gapTimer ??= setTimeout(() => void this.fillGap(), GAP_WAIT_MS * 20);
    } finally {
      this.filling = false;
    }
  }

  private onEvent(frame: string, endsSubscriptionOf: string | undefined): void {
    this.broadcast(Buffer.from(frame));
    if (!endsSubscriptionOf) return;
    for (const sub of [...this.subs]) {
      if (endsSubscriptionOf === '*' || sub.conn.actor.user.id === endsSubscriptionOf) this.detach(sub);
    }
  }

  private broadcast(frame: Buffer, exceptUserId?: string): void {
    for (const sub of this.subs) if (sub.conn.actor.user.id !== exceptUserId) sub.conn.sendRaw(frame);
  }

  /** Ends a subscription (its connection stops receiving this room at once). */
  detach(sub: Subscription): void {
    sub.ended = true;
    sub.live = false;
    this.subs.delete(sub);
    if (sub.conn.subs.get(this.roomId) === sub) sub.conn.subs.delete(this.roomId);
    if (this.subs.size === 0) this.onIdle(this);
  }

  /**
   * One page of stored messages after `after`, serialized once (for gap fills and replays). Reads that start from
   * the same seq at the same time are shared: after a restart, the sockets of a room come back together with the same last seq, and a
   * storm of resubscriptions costs a few store reads per room instead of one per socket.
   */
  private readAfter(after: number): Promise<Array<{ seq: number; frame: Buffer }>> {
    let read = this.replayReads.get(after);
    if (read === undefined) {
      read = this.store
        .messagesAfter(this.roomId, after, REPLAY_PAGE)
        .then((rows) =>
          rows.map((m) => ({ seq: m.seq, frame: Buffer.from(JSON.stringify({ type: 'message', ...m })) })),
        );
      this.replayReads.set(after, read);
      const forget = () => this.replayReads.delete(after);
      read.then(forget, forget);
    }
    return read;
  }

  /**
   * Replays from the store until the subscription has reached the live head, then switches it to live.
   * Store reads and live events interleave; `lastSent` drops whatever arrives twice. Returns false, with
   * the subscription ended, when the store could not be read.
   */
  async catchUp(sub: Subscription): Promise<boolean> {
    if (sub.catchingUp) return true;
    sub.catchingUp = true;
    sub.live = false;
    try {
      // Nothing to replay (a fresh subscription, or a resume that missed nothing): live at once, no store read.
      // Synchronous from the check to `live = true`, like the end of the loop below.
      if (this.head !== null && sub.lastSent >= this.head) {
        sub.live = true;
        return true;
      }
      for (;;) {
        const rows = await this.readAfter(sub.lastSent);
        if (sub.ended) return true;
        for (const m of rows) {
          if (m.seq <= sub.lastSent) continue;
          // A long replay must not trip the slow-consumer limit: it waits for the socket to drain.
          if (sub.conn.congested) await sub.conn.drained();
          if (sub.ended) return true;
          sub.lastSent = m.seq;
          sub.conn.sendRaw(m.frame);
        }
        // Synchronous from this check to `live = true`: no live event can slip between the two.
        if (rows.length < REPLAY_PAGE && sub.lastSent >= this.head!) break;
      }
      sub.live = true;
      return true;
    } catch (err) {
      this.log.warn({ err: redactDbError(err), roomId: this.roomId }, 'replay failed; subscription ended');
      this.detach(sub);
      sub.conn.send({
        type: 'error',
        code: 'unavailable',
        message: 'could not replay this room; subscribe again',
        roomId: this.roomId,
      });
      return false;
    } finally {
      sub.catchingUp = false;
    }
  }
}
