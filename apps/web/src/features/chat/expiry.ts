import type { EventFrame, Message } from '@salon/protocol';

/** Anything that may disappear at a given time: a message, or a pending send with a timer. */
export interface Expiring {
  expiresAt?: string;
}

/** When it disappears, in ms since the epoch; undefined when it never does (or the date is unreadable). */
export function expiryTime(item: Expiring): number | undefined {
  if (item.expiresAt === undefined) return undefined;
  const time = Date.parse(item.expiresAt);
  return Number.isNaN(time) ? undefined : time;
}

export function isExpired(item: Expiring, now: number): boolean {
  const time = expiryTime(item);
  return time !== undefined && time <= now;
}

/** The items still alive at `now`; the same array when none has expired, so React can skip the render. */
export function withoutExpired<T extends Expiring>(items: readonly T[], now: number): T[] {
  return items.some((item) => isExpired(item, now)) ? items.filter((item) => !isExpired(item, now)) : (items as T[]);
}

/** The messages not in `seqs` (a `message.expired` event); the same array when none of them is there. */
export function withoutSeqs<M extends Message>(messages: readonly M[], seqs: readonly number[]): M[] {
  const gone = new Set(seqs);
  return messages.some((m) => gone.has(m.seq)) ? messages.filter((m) => !gone.has(m.seq)) : (messages as M[]);
}

/** The seqs a `message.expired` event names (`seqs`; a lone `seq` is accepted too); empty for anything else. */
export function expiredSeqs(event: EventFrame): number[] {
  if (event.kind !== 'message.expired') return [];
  const raw = Array.isArray(event.seqs) ? event.seqs : [event.seq];
  return raw.filter((seq): seq is number => typeof seq === 'number' && Number.isInteger(seq));
}

/** `createdAt` plus a lifetime, as the server computes `expiresAt`; undefined without a lifetime. */
export function expiresAtFrom(createdAt: string | number, lifetimeSeconds: number | undefined): string | undefined {
  if (lifetimeSeconds === undefined) return undefined;
  const start = typeof createdAt === 'number' ? createdAt : Date.parse(createdAt);
  if (Number.isNaN(start)) return undefined;
  return new Date(start + lifetimeSeconds * 1000).toISOString();
}

export type CountdownUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export interface Countdown {
  unit: CountdownUnit;
  /** Whole units left: seconds are rounded up (never "0 s" before the end), larger units down. */
  value: number;
  /** How long until `unit`/`value` change, in ms (at most a second under a minute). */
  changesInMs: number;
}

const UNITS: ReadonlyArray<readonly [CountdownUnit, number]> = [
  ['days', 86_400],
  ['hours', 3_600],
  ['minutes', 60],
];

/** What a countdown shows with `remainingMs` left ("5 s", "2 min", "3 h", "4 d"), and when that changes. */
export function countdown(remainingMs: number): Countdown {
  const ms = Math.max(0, remainingMs);
  const seconds = Math.ceil(ms / 1000);
  for (const [unit, size] of UNITS) {
    if (seconds >= size) {
      const value = Math.floor(seconds / size);
      // The text changes once fewer than value * size whole seconds are left.
      return { unit, value, changesInMs: ms - (value * size - 1) * 1000 };
    }
  }
  return { unit: 'seconds', value: seconds, changesInMs: seconds === 0 ? 0 : ms - (seconds - 1) * 1000 };
}

/**
 * The delay until anything in `items` needs the screen to change: a countdown moving on, or an item reaching its
 * end. Undefined when nothing expires. This drives one timer for a whole list, whatever its length. It is never
 * more than a day (the countdown's largest unit), so it always fits setTimeout's 32-bit delay.
 */
export function nextChangeDelay(items: readonly Expiring[], now: number): number | undefined {
  let next: number | undefined;
  for (const item of items) {
    const time = expiryTime(item);
    if (time === undefined) continue;
    const delay = countdown(time - now).changesInMs;
    if (next === undefined || delay < next) next = delay;
  }
  return next;
}
