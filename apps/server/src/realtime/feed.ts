import type { Message } from '@salon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { redactDbError } from '../store/health.js';
import type { Connection } from './connection.js';
import type { EnvelopeHeader } from './envelope.js';

/** How long an out-of-order message waits for the ones before it before they are read from the store. */
const GAP_WAIT_MS = 25;
/** Page size when replaying from the store. */
const REPLAY_PAGE = 500;
/** The newest messages each feed keeps for replays (both bounds apply). */
const RECENT_MAX_MESSAGES = 256;
const RECENT_MAX_BYTES = 128 * 1024;

export interface FeedStore {
  /** The room's last committed seq. */
  lastSeq(roomId: string): Promise<number>;
  /**
   * Up to `limit` visible (unexpired) messages with seq > after, in order, and the room's last seq read in the same
   * snapshot; undefined when the room is gone.
   */
  messagesAfter(
    roomId: string,
    after: number,
    limit: number,
  ): Promise<{ messages: Message[]; lastSeq: number } | undefined>;
}

/** What the feeds of a process have done, for operators and tests. */
export interface FeedStats {
  /** Pages read from the store (replays and gap fills). */
  storeReads: number;
  /** Replays (or parts of one) served from the recent window in memory. */
  memoryReplays: number;
}

/** A message as the feed sends it: serialized once, with its expiry (epoch ms) so an expired one is never sent. */
interface FeedMessage {
  seq: number;
  frame: Buffer;
  expiresAt: number | null;
}

/** Messages to send in order; whoever sends them all has every visible message up to `upTo`. */
interface Page {
  rows: FeedMessage[];
  upTo: number;
}

/**
 * The newest messages of a room, in memory: exactly the room's visible messages with a seq in (after, head], as
 * delivered in order or read from the store. Replays that start inside it need no store read; any room event
 * (a deletion, an expiry, a settings change) replaces it with an empty window, so it never outlives what it copies.
 */
interface Recent {
  after: number;
  entries: FeedMessage[];
  bytes: number;
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
  private readonly pending = new Map<number, { seq: number; frame: string; expiresAt: number | null }>();
  private readonly early: Array<{ header: EnvelopeHeader; frame: string }> = [];
  private gapTimer: NodeJS.Timeout | null = null;
  private filling = false;
  /** Store reads of replays in flight, by the seq they start after (shared by concurrent replays). */
  private readonly replayReads = new Map<number, Promise<Page>>();
  private recent: Recent | null = null;
  readonly ready: Promise<void>;

  constructor(
    readonly roomId: string,
    private readonly store: FeedStore,
    private readonly log: FastifyBaseLogger,
    subscribed: Promise<void>,
    private readonly onIdle: (feed: RoomFeed) => void,
    private readonly stats: FeedStats = { storeReads: 0, memoryReplays: 0 },
  ) {
    // The head is read only once the broker subscription is active, so nothing committed after it is missed.
    this.ready = subscribed
      .then(() => store.lastSeq(roomId))
      .then((head) => {
        this.head = head;
        this.recent = { after: head, entries: [], bytes: 0 };
        for (const e of this.early.splice(0)) this.onEnvelope(e.header, e.frame);
      });
  }

  /** The highest seq announced to this feed: the head, or a later one waiting for a gap to fill. */
  lastSeqSeen(): number | undefined {
    if (this.head === null) return undefined;
    let seen = this.head;
    for (const seq of this.pending.keys()) if (seq > seen) seen = seq;
    return seen;
  }

  onEnvelope(header: EnvelopeHeader, frame: string): void {
    if (this.head === null) {
      this.early.push({ header, frame });
      return;
    }
    if (header.k === 'm' && typeof header.s === 'number') {
      this.onMessage({ seq: header.s, frame, expiresAt: typeof header.x === 'number' ? header.x : null });
    } else if (header.k === 't') this.broadcast(Buffer.from(frame), header.u);
    else if (header.k === 'e') this.onEvent(frame, header.u);
  }

  private onMessage(m: { seq: number; frame: string; expiresAt: number | null }): void {
    const head = this.head!;
    if (m.seq <= head) return;
    if (m.seq === head + 1) {
      this.deliver({ seq: m.seq, frame: Buffer.from(m.frame), expiresAt: m.expiresAt });
      this.drainPending();
    } else {
      this.pending.set(m.seq, m);
      this.gapTimer ??= setTimeout(() => void this.fillGap(), GAP_WAIT_MS);
    }
  }

  /** The next message in order (or the next visible one after expired seqs): every live subscription takes it. */
  private deliver(m: FeedMessage): void {
    this.head = m.seq;
    const recent = this.recent;
    if (recent) {
      recent.entries.push(m);
      recent.bytes += m.frame.length;
      trimRecent(recent);
    }
    for (const sub of this.subs) sub.offer(m.seq, m.frame);
  }

  private drainPending(): void {
    for (let next = this.pending.get(this.head! + 1); next !== undefined; next = this.pending.get(this.head! + 1)) {
      this.pending.delete(next.seq);
      this.deliver({ seq: next.seq, frame: Buffer.from(next.frame), expiresAt: next.expiresAt });
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
    // Events may have been lost with the notifications: the copies in memory are not trusted any more.
    this.recent = { after: this.head, entries: [], bytes: 0 };
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
        const page = await this.readAfter(this.head!);
        if (page.rows.length === 0) break;
        for (const m of page.rows) {
          if (m.seq > this.head!) this.deliver(m);
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
    // An event may change what a replay must show (a deletion, an expiry, new settings): forget the copies.
    if (this.head !== null) this.recent = { after: this.head, entries: [], bytes: 0 };
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
   * The messages after `after` from memory, when the recent window covers them (up to the head); null otherwise.
   */
  private recentAfter(after: number): Page | null {
    const recent = this.recent;
    if (!recent || after < recent.after) return null;
    const rows: FeedMessage[] = [];
    for (let i = recent.entries.length - 1; i >= 0 && recent.entries[i]!.seq > after; i--)
      rows.push(recent.entries[i]!);
    this.stats.memoryReplays++;
    return { rows: rows.reverse(), upTo: this.head! };
  }

  /**
   * One page of stored messages after `after`, serialized once (for gap fills and replays). Reads that start from
   * the same seq at the same time are shared: after a restart, the sockets of a room come back together with the
   * same last seq. A page that reaches the recent window extends it backwards, so the sockets that come back later
   * are served from memory.
   */
  private readAfter(after: number): Promise<Page> {
    let read = this.replayReads.get(after);
    if (read === undefined) {
      const recent = this.recent;
      this.stats.storeReads++;
      read = this.store.messagesAfter(this.roomId, after, REPLAY_PAGE).then((found) => {
        if (!found) throw new Error('room not found');
        const rows = found.messages.map((m) => ({
          seq: m.seq,
          frame: Buffer.from(JSON.stringify({ type: 'message', ...m })),
          expiresAt: m.expiresAt ? Date.parse(m.expiresAt) : null,
        }));
        const upTo = rows.length < REPLAY_PAGE ? found.lastSeq : rows[rows.length - 1]!.seq;
        // Still the same window (no event replaced it since the read began), and the page reaches it.
        if (recent && recent === this.recent && after < recent.after && upTo >= recent.after) {
          const older = rows.filter((m) => m.seq <= recent.after);
          recent.entries.unshift(...older);
          for (const m of older) recent.bytes += m.frame.length;
          recent.after = after;
          trimRecent(recent);
        }
        return { rows, upTo };
      });
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
        const page = this.recentAfter(sub.lastSent) ?? (await this.readAfter(sub.lastSent));
        if (sub.ended) return true;
        for (const m of page.rows) {
          if (m.seq <= sub.lastSent) continue;
          // A long replay must not trip the slow-consumer limit: it waits for the socket to drain.
          if (sub.conn.congested) await sub.conn.drained();
          if (sub.ended) return true;
          // Expired while waiting in memory: never sent (the store no longer returns it either).
          if (m.expiresAt !== null && m.expiresAt <= Date.now()) continue;
          sub.lastSent = m.seq;
          sub.conn.sendRaw(m.frame);
        }
        // Every visible message up to the page's end has been sent; the seqs between are expired ones.
        if (page.upTo > sub.lastSent) sub.lastSent = page.upTo;
        // Synchronous from this check to `live = true`: no live event can slip between the two.
        if (sub.lastSent >= this.head!) break;
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

/** Drops the oldest messages of the window beyond its bounds; the window then starts after the last one dropped. */
function trimRecent(recent: Recent): void {
  let drop = 0;
  while (
    drop < recent.entries.length &&
    (recent.entries.length - drop > RECENT_MAX_MESSAGES || recent.bytes > RECENT_MAX_BYTES)
  ) {
    recent.bytes -= recent.entries[drop]!.frame.length;
    drop++;
  }
  if (drop === 0) return;
  recent.after = recent.entries[drop - 1]!.seq;
  recent.entries.splice(0, drop);
}
