import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from './backoff.js';
import { planReconnect } from './reconnect.js';

const half = () => 0.5;

describe('planReconnect', () => {
  it('1012 (server restarting): the next server, at once, with the attempt counter reset', () => {
    expect(planReconnect({ code: 1012, opened: true, attempt: 4 }, DEFAULT_BACKOFF, half)).toEqual({
      nextServer: true,
      delayMs: 0,
      attempt: 0,
    });
  });

  it('a dropped connection or a failed attempt: the next server, after backoff', () => {
    expect(planReconnect({ code: 1006, opened: true, attempt: 0 }, DEFAULT_BACKOFF, half)).toEqual({
      nextServer: true,
      delayMs: 125,
      attempt: 1,
    });
    expect(planReconnect({ code: 1006, opened: false, attempt: 3 }, DEFAULT_BACKOFF, half)).toMatchObject({
      nextServer: true,
      delayMs: 1000,
    });
  });

  it('4008 (too slow) and other closes: the same server, after backoff', () => {
    expect(planReconnect({ code: 4008, opened: true, attempt: 1 }, DEFAULT_BACKOFF, half)).toEqual({
      nextServer: false,
      delayMs: 250,
      attempt: 2,
    });
  });
});
