import type { EventFrame, Message } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import {
  countdown,
  expiredSeqs,
  expiresAtFrom,
  expiryTime,
  isExpired,
  nextChangeDelay,
  withoutExpired,
  withoutSeqs,
} from './expiry';

const NOW = Date.parse('2025-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const sender = { id: 'u1', username: 'ada', displayName: 'Ada' };
const msg = (seq: number, expiresInMs?: number): Message => ({
  roomId: 'r1',
  seq,
  sender,
  body: `m${seq}`,
  createdAt: '2025-01-01T11:59:00Z',
  ...(expiresInMs === undefined ? {} : { expiresAt: at(expiresInMs) }),
});

describe('expiry of messages', () => {
  it('knows when a message ends, and that one without expiresAt never does', () => {
    expect(expiryTime(msg(1, 5_000))).toBe(NOW + 5_000);
    expect(expiryTime(msg(1))).toBeUndefined();
    expect(expiryTime({ expiresAt: 'not a date' })).toBeUndefined();
  });

  it('counts a message as expired from its expiresAt on', () => {
    expect(isExpired(msg(1, 1), NOW)).toBe(false);
    expect(isExpired(msg(1, 0), NOW)).toBe(true);
    expect(isExpired(msg(1, -60_000), NOW)).toBe(true);
    expect(isExpired(msg(1), NOW)).toBe(false);
  });

  it('drops the expired messages, and never shows one loaded after its end', () => {
    const loaded = [msg(1, -1), msg(2), msg(3, 10_000), msg(4, -3_600_000)];
    expect(withoutExpired(loaded, NOW).map((m) => m.seq)).toEqual([2, 3]);
    expect(withoutExpired(loaded, NOW + 10_000).map((m) => m.seq)).toEqual([2]);
  });

  it('returns the same array when nothing expired, so React can skip the render', () => {
    const list = [msg(1), msg(2, 1_000)];
    expect(withoutExpired(list, NOW)).toBe(list);
  });

  it('removes the seqs of a message.expired event', () => {
    const list = [msg(1), msg(2), msg(3)];
    expect(withoutSeqs(list, [1, 3, 9]).map((m) => m.seq)).toEqual([2]);
    expect(withoutSeqs(list, [9])).toBe(list);
  });

  it('reads the seqs of a message.expired event and nothing else', () => {
    const event = (fields: Record<string, unknown>): EventFrame =>
      ({ type: 'event', roomId: 'r1', ...fields }) as never;
    expect(expiredSeqs(event({ kind: 'message.expired', seqs: [4, 5] }))).toEqual([4, 5]);
    expect(expiredSeqs(event({ kind: 'message.expired', seq: 7 }))).toEqual([7]);
    expect(expiredSeqs(event({ kind: 'message.expired', seqs: ['4', null, 5.5, 6] }))).toEqual([6]);
    expect(expiredSeqs(event({ kind: 'message.deleted', seq: 7 }))).toEqual([]);
  });

  it('computes expiresAt from createdAt as the server does', () => {
    expect(expiresAtFrom('2025-01-01T12:00:00.000Z', 3)).toBe('2025-01-01T12:00:03.000Z');
    expect(expiresAtFrom(NOW, 86_400)).toBe('2025-01-02T12:00:00.000Z');
    expect(expiresAtFrom('2025-01-01T12:00:00.000Z', undefined)).toBeUndefined();
    expect(expiresAtFrom('garbage', 3)).toBeUndefined();
  });
});

describe('countdown', () => {
  it('shows seconds under a minute, rounded up so it never says 0 s before the end', () => {
    expect(countdown(5_000)).toMatchObject({ unit: 'seconds', value: 5 });
    expect(countdown(4_200)).toMatchObject({ unit: 'seconds', value: 5 });
    expect(countdown(1)).toMatchObject({ unit: 'seconds', value: 1 });
    expect(countdown(59_000)).toMatchObject({ unit: 'seconds', value: 59 });
    expect(countdown(0)).toEqual({ unit: 'seconds', value: 0, changesInMs: 0 });
    expect(countdown(-500)).toEqual({ unit: 'seconds', value: 0, changesInMs: 0 });
  });

  it('shows whole minutes, hours and days above, rounded down', () => {
    expect(countdown(60_000)).toMatchObject({ unit: 'minutes', value: 1 });
    expect(countdown(119_000)).toMatchObject({ unit: 'minutes', value: 1 });
    expect(countdown(120_000)).toMatchObject({ unit: 'minutes', value: 2 });
    expect(countdown(3_599_000)).toMatchObject({ unit: 'minutes', value: 59 });
    expect(countdown(3_600_000)).toMatchObject({ unit: 'hours', value: 1 });
    expect(countdown(86_399_000)).toMatchObject({ unit: 'hours', value: 23 });
    expect(countdown(7 * 86_400_000)).toMatchObject({ unit: 'days', value: 7 });
  });

  it('says when the text changes: every second under a minute, at the next whole unit above', () => {
    expect(countdown(5_000).changesInMs).toBe(1_000);
    expect(countdown(4_200).changesInMs).toBe(200);
    expect(countdown(800).changesInMs).toBe(800); // the end itself
    expect(countdown(59_500).changesInMs).toBe(500); // "1 min" becomes "59 s"
    expect(countdown(150_000).changesInMs).toBe(31_000); // "2 min" becomes "1 min" at 119 s
    expect(countdown(2 * 3_600_000 + 5_000).changesInMs).toBe(6_000);
  });

  it('changes its text exactly when changesInMs has passed, down to the end', () => {
    let remaining = 2 * 86_400_000 + 3_725_400;
    let previous = countdown(remaining);
    const seen = new Set<string>();
    while (remaining > 0) {
      remaining -= previous.changesInMs;
      const next = countdown(remaining);
      expect(`${next.unit}:${next.value}`).not.toBe(`${previous.unit}:${previous.value}`);
      // One step later than changesInMs, never earlier.
      expect(countdown(remaining + 1)).toMatchObject({ unit: previous.unit, value: previous.value });
      seen.add(next.unit);
      previous = next;
    }
    expect(previous).toEqual({ unit: 'seconds', value: 0, changesInMs: 0 });
    expect([...seen].sort()).toEqual(['days', 'hours', 'minutes', 'seconds']);
  });
});

describe('nextChangeDelay (one timer for the whole list)', () => {
  it('is undefined when nothing in the list expires', () => {
    expect(nextChangeDelay([], NOW)).toBeUndefined();
    expect(nextChangeDelay([msg(1), msg(2)], NOW)).toBeUndefined();
  });

  it('wakes for the soonest change among all items', () => {
    // "1 h" becomes "59 min" in 31 s; "1 min" becomes "59 s" in 31.5 s.
    expect(nextChangeDelay([msg(1, 3_600_000 + 30_000), msg(2, 90_500), msg(3)], NOW)).toBe(31_000);
    expect(nextChangeDelay([msg(1, 3_600_000 + 32_000), msg(2, 90_500), msg(3)], NOW)).toBe(31_500);
    expect(nextChangeDelay([msg(1, 90_500), msg(2, 2_300)], NOW)).toBe(300);
    expect(nextChangeDelay([{ expiresAt: at(1_500) }, msg(2, 86_400_000)], NOW)).toBe(500);
  });

  it('wakes at once for something already past its end', () => {
    expect(nextChangeDelay([msg(1, 60_000), msg(2, -10)], NOW)).toBe(0);
  });

  it('never waits more than a day, well within what setTimeout can hold', () => {
    expect(nextChangeDelay([msg(1, 365 * 86_400_000)], NOW)).toBe(1_000);
    expect(nextChangeDelay([msg(1, 365 * 86_400_000 - 1_000)], NOW)).toBe(86_400_000);
  });
});
