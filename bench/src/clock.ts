import { performance } from 'node:perf_hooks';

/**
 * Milliseconds on CLOCK_MONOTONIC (`process.hrtime`): one clock shared by every thread of this process, so a
 * timestamp taken in the publisher's worker can be subtracted from one taken in a receiver's worker.
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Offset from the monotonic clock to epoch milliseconds, measured once in the main thread. */
export const measureEpochOffset = (): number => performance.timeOrigin + performance.now() - monoMs();

/** Promise-based sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
