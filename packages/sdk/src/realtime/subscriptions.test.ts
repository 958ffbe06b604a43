import type { Message } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { SalonError } from '../errors.js';
import { Subscriptions } from './subscriptions.js';

const sender = { id: 'u1', username: 'ada', displayName: 'Ada' };
const msg = (roomId: string, seq: number): Message => ({ roomId, seq, sender, body: `m${seq}`, createdAt: '' });

/** The seqs `accept` lets through, in order, for a stream of arrivals. */
function delivered(subs: Subscriptions, roomId: string, arrivals: number[]): number[] {
  return arrivals.filter((seq) => subs.accept(msg(roomId, seq)));
}

describe('Subscriptions: exactly once, in order', () => {
  it('drops duplicates and older seqs, and lets a hole through without ever going back', () => {
    const subs = new Subscriptions();
    void subs.add('r', 0);
    expect(delivered(subs, 'r', [1, 2, 2, 3, 1, 5, 4, 6, 6, 7])).toEqual([1, 2, 3, 5, 6, 7]);
    expect(subs.since('r')).toBe(7);
  });

  it('resubscribes from the highest accepted seq, even after unsubscribe and a lower `since`', () => {
    const subs = new Subscriptions();
    void subs.add('r', 10);
    expect(delivered(subs, 'r', [11, 12])).toEqual([11, 12]);
    subs.remove('r');
    expect(delivered(subs, 'r', [13])).toEqual([]);
    void subs.add('r', 3);
    expect(subs.since('r')).toBe(12);
    expect(delivered(subs, 'r', [4, 12, 13])).toEqual([13]);
  });

  it('a live subscription resumes from the head the ack reported, and resolves its waiters', async () => {
    const subs = new Subscriptions();
    const acked = subs.add('r', undefined);
    expect(subs.since('r')).toBeUndefined();
    subs.requested(1, 'r');
    expect(subs.acked(1, 41)).toBe('r');
    await expect(acked).resolves.toBe(41);
    expect(subs.since('r')).toBe(41);
    expect(delivered(subs, 'r', [41, 42])).toEqual([42]);
  });

  it('rooms are independent, and a refused subscription rejects its waiters and stops the room', async () => {
    const subs = new Subscriptions();
    const a = subs.add('a', 0);
    void subs.add('b', 0);
    expect(delivered(subs, 'b', [1, 2])).toEqual([1, 2]);
    subs.requested('x', 'a');
    expect(subs.requestRoom('x')).toBe('a');
    subs.fail('a', new SalonError('forbidden', 'no'));
    await expect(a).rejects.toMatchObject({ code: 'forbidden' });
    expect(delivered(subs, 'a', [1])).toEqual([]);
    expect(subs.rooms()).toEqual(['b']);
  });
});
