import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalesce.js';

/** A loader whose reads finish when the test says so, recording the keys of each. */
function gatedLoader() {
  const calls: string[][] = [];
  const gates: Array<() => void> = [];
  const load = async (keys: string[]) => {
    calls.push(keys);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (keys.includes('boom')) throw new Error('read failed');
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `value of ${k}`]));
  };
  const openNext = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
  };
  return { calls, load, openNext };
}

describe('Coalescer', () => {
  it('reads the lookups of one turn together, and those made during a read in the next one', async () => {
    const { calls, load, openNext } = gatedLoader();
    const c = new Coalescer(load, (k: string) => k);
    const first = [c.get('a'), c.get('b'), c.get('a')];
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // While the first read is in flight, lookups queue: one read for all of them once it is done.
    const second = ['c', 'd', 'missing', 'e'].map((k) => c.get(k));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['a', 'b']]);
    await openNext();
    expect(await Promise.all(first)).toEqual(['value of a', 'value of b', 'value of a']);
    await openNext();
    expect(await Promise.all(second)).toEqual(['value of c', 'value of d', undefined, 'value of e']);
    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd', 'missing', 'e'],
    ]);
  });

  it('splits a large burst into batches of at most maxBatch and fails only the batch whose read failed', async () => {
    const { calls, load, openNext } = gatedLoader();
    const c = new Coalescer(load, (k: string) => k, { maxBatch: 3 });
    const all = ['a', 'b', 'boom', 'c', 'd'].map((k) => c.get(k).then(String, (err: Error) => `error: ${err.message}`));
    await openNext();
    await openNext();
    expect(await Promise.all(all)).toEqual([
      'error: read failed',
      'error: read failed',
      'error: read failed',
      'value of c',
      'value of d',
    ]);
    expect(calls).toEqual([
      ['a', 'b', 'boom'],
      ['c', 'd'],
    ]);
  });

  describe('with a linger, under a steady stream of lookups', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** 40 lookups, one per millisecond (a clock the test moves), with reads that answer at once. */
    async function stream(lingerMs: number): Promise<string[][]> {
      vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
      await vi.advanceTimersByTimeAsync(1000);
      const calls: string[][] = [];
      const c = new Coalescer(
        async (keys: string[]) => {
          calls.push(keys);
          return new Map(keys.map((k) => [k, k]));
        },
        (k: string) => k,
        { lingerMs },
      );
      const answers: Array<Promise<string | undefined>> = [];
      for (let i = 0; i < 40; i++) {
        answers.push(c.get(`k${i}`));
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.advanceTimersByTimeAsync(50);
      expect(await Promise.all(answers)).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`));
      return calls;
    }

    it('waits for company once busy, so a stream becomes a few batches; without it, one read per lookup', async () => {
      const alone = await stream(0);
      expect(alone).toHaveLength(40);
      const lingering = await stream(5);
      // The first lookups (not busy yet) go alone; then a batch every 5 ms or so.
      expect(lingering.length).toBeLessThan(20);
      expect(lingering.flat()).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`));
      expect(Math.max(...lingering.map((b) => b.length))).toBeGreaterThan(2);
    });
  });
});
