import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('backoffDelay: full jitter', () => {
  it('stays below min(cap, base * 2^attempt) and reaches down to zero', () => {
    const ceilings = [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000];
    ceilings.forEach((ceiling, attempt) => {
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(0);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999_999)).toBe(ceiling - 1);
    });
  });

  it('does not overflow for very large attempt numbers', () => {
    expect(backoffDelay(10_000, { baseMs: 250, capMs: 10_000 }, () => 0.5)).toBe(5000);
  });
});
