import type { FrameId, Message } from '@salon/protocol';
import type { SalonError } from '../errors.js';

interface Waiter {
  resolve: (lastSeq: number) => void;
  reject: (error: SalonError) => void;
}

/**
 * The rooms a connection follows and, per room, the highest seq accepted for delivery. That mark is what makes
 * delivery exactly-once and in order: a message is accepted only above it, and every resubscription asks for
 * `since` = the mark, so the server replays exactly what is missing. The mark outlives `unsubscribe`, so a
 * room's message is never delivered twice in a client's life (reading it again is what history is for).
 */
export class Subscriptions {
  /** roomId -> highest seq accepted; absent until the first ack or message (then "live from the head"). */
  private readonly marks = new Map<string, number>();
  /** Followed rooms -> callers waiting for the next ack of their subscription. */
  private readonly active = new Map<string, Waiter[]>();
  /** Subscribe request id -> roomId, for the current socket only. */
  private readonly requests = new Map<FrameId, string>();

  /** Starts following a room (or keeps following it); resolves with the room's head at the next ack. */
  add(roomId: string, since: number | undefined): Promise<number> {
    const mark = this.marks.get(roomId);
    if (since !== undefined && (mark === undefined || since > mark)) this.marks.set(roomId, since);
    const waiters = this.active.get(roomId) ?? [];
    this.active.set(roomId, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  /** Stops following a room; frames still in flight for it are then ignored. */
  remove(roomId: string): boolean {
    return this.active.delete(roomId);
  }

  /** Whether the room is followed. */
  following(roomId: string): boolean {
    return this.active.has(roomId);
  }

  /** Followed room ids. */
  rooms(): string[] {
    return [...this.active.keys()];
  }

  /** The `since` to subscribe with: the mark, or undefined for "live from now". */
  since(roomId: string): number | undefined {
    return this.marks.get(roomId);
  }

  /** The highest seq accepted in a room, if any. */
  lastSeq(roomId: string): number | undefined {
    return this.marks.get(roomId);
  }

  /** Notes a subscribe request sent on the current socket. */
  requested(id: FrameId, roomId: string): void {
    this.requests.set(id, roomId);
  }

  /** Forgets the requests of a socket that is gone (their answers can no longer come). */
  dropRequests(): void {
    this.requests.clear();
  }

  /** Handles the ack of a subscribe request; returns its room, or undefined if the id was not one. */
  acked(id: FrameId, lastSeq: number | undefined): string | undefined {
    const roomId = this.requests.get(id);
    if (roomId === undefined) return undefined;
    this.requests.delete(id);
    // Subscribed "live": from now on, resuming must start at the head the server saw, not at the next message.
    if (!this.marks.has(roomId) && lastSeq !== undefined) this.marks.set(roomId, lastSeq);
    const waiters = this.active.get(roomId);
    if (waiters) for (const w of waiters.splice(0)) w.resolve(lastSeq ?? this.marks.get(roomId) ?? 0);
    return roomId;
  }

  /** The room of a subscribe request that failed, or undefined if the id was not one. */
  requestRoom(id: FrameId | undefined): string | undefined {
    if (id === undefined) return undefined;
    const roomId = this.requests.get(id);
    this.requests.delete(id);
    return roomId;
  }

  /** Stops following a room whose subscription the server refused, and tells its waiters. */
  fail(roomId: string, error: SalonError): void {
    const waiters = this.active.get(roomId);
    this.active.delete(roomId);
    for (const w of waiters ?? []) w.reject(error);
  }

  /** Rejects every waiter (the client is closing). */
  failAll(error: SalonError): void {
    for (const roomId of this.rooms()) this.fail(roomId, error);
  }

  /** Whether to deliver a message: it is for a followed room and above the mark (which it then becomes). */
  accept(message: Message): boolean {
    if (!this.active.has(message.roomId)) return false;
    const mark = this.marks.get(message.roomId);
    if (mark !== undefined && message.seq <= mark) return false;
    this.marks.set(message.roomId, message.seq);
    return true;
  }
}
