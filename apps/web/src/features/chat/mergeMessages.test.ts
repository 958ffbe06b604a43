import type { Message } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { mergeMessages, tombstone } from './mergeMessages';

const sender = { id: 'u1', username: 'ada', displayName: 'Ada' };
const msg = (seq: number, body = `m${seq}`): Message => ({
  roomId: 'r1',
  seq,
  sender,
  body,
  createdAt: '2025-01-01T00:00:00Z',
});

describe('mergeMessages', () => {
  it('keeps ascending seq order when older pages are prepended and live ones appended', () => {
    const merged = mergeMessages([msg(5), msg(6)], [msg(7), msg(2), msg(3)]);
    expect(merged.map((m) => m.seq)).toEqual([2, 3, 5, 6, 7]);
  });

  it('stores a seq once, the latest copy winning (history, ack and live stream overlap)', () => {
    const merged = mergeMessages([msg(1), msg(2, 'from ack')], [msg(2, 'from live'), msg(2, 'edited')]);
    expect(merged).toHaveLength(2);
    expect(merged[1]?.body).toBe('edited');
  });

  it('returns the same array when nothing arrives, so React can skip the render', () => {
    const current = [msg(1)];
    expect(mergeMessages(current, [])).toBe(current);
  });
});

describe('tombstone', () => {
  const deletedAt = '2025-01-01T00:05:00Z';

  it('drops the content of a deleted message and keeps its place', () => {
    const after = tombstone([msg(1), msg(2), msg(3)], 2, deletedAt);
    expect(after.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(after[1]).toEqual({ roomId: 'r1', seq: 2, sender, createdAt: '2025-01-01T00:00:00Z', deletedAt });
    expect(after[1]).not.toHaveProperty('body');
  });

  it('keeps the end of a disappearing message', () => {
    const expiresAt = '2025-01-01T00:10:00Z';
    expect(tombstone([{ ...msg(1), expiresAt }], 1, deletedAt)[0]?.expiresAt).toBe(expiresAt);
  });

  it('returns the same array for an unknown or already deleted seq', () => {
    const current = tombstone([msg(1)], 1, deletedAt);
    expect(tombstone(current, 1, '2025-01-02T00:00:00Z')).toBe(current);
    expect(tombstone(current, 9, deletedAt)).toBe(current);
  });

  it('is not undone by a stale copy of the message', () => {
    const deleted = tombstone([msg(1), msg(2)], 2, deletedAt);
    expect(mergeMessages(deleted, [msg(2)])[1]?.deletedAt).toBe(deletedAt);
  });
});
