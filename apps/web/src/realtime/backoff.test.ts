import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('starts between 0.5 s and 1 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
  });

  it('doubles per attempt and never exceeds 10 s', () => {
    expect(backoffDelay(2, () => 1)).toBe(4000);
    expect(backoffDelay(30, () => 1)).toBe(10_000);
    expect(backoffDelay(30, () => 0)).toBe(5000);
  });
});
