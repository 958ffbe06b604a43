import { describe, expect, it } from 'vitest';
import { formatDuration, isValidRetention, MESSAGE_TIMERS, RETENTIONS, timersWithin, usableTimer } from './durations';

describe('message timers', () => {
  it('offers off plus 10 s, 1 min, 1 h, 1 day and 1 week', () => {
    expect(MESSAGE_TIMERS.map((option) => option.seconds)).toEqual([10, 60, 3_600, 86_400, 604_800]);
  });

  it('hides the timers longer than the room’s retention', () => {
    expect(timersWithin(undefined)).toBe(MESSAGE_TIMERS);
    expect(timersWithin(30).map((option) => option.seconds)).toEqual([10]);
    expect(timersWithin(3_600).map((option) => option.seconds)).toEqual([10, 60, 3_600]);
  });

  it('falls back to no timer when the chosen one no longer fits the room', () => {
    expect(usableTimer(3_600, undefined)).toBe(3_600);
    expect(usableTimer(3_600, 3_600)).toBe(3_600);
    expect(usableTimer(3_600, 300)).toBeUndefined();
    expect(usableTimer(undefined, 300)).toBeUndefined();
    expect(usableTimer(0, undefined)).toBeUndefined();
    expect(usableTimer(1.5, undefined)).toBeUndefined();
  });
});

describe('retentions', () => {
  it('offers 30 s, 5 min, 1 h, 1 day, 7, 30 and 365 days, all accepted by the server', () => {
    expect(RETENTIONS.map((option) => option.seconds)).toEqual([
      30, 300, 3_600, 86_400, 604_800, 2_592_000, 31_536_000,
    ]);
    expect(RETENTIONS.every((option) => isValidRetention(option.seconds))).toBe(true);
    expect(isValidRetention(29)).toBe(false);
    expect(isValidRetention(31_536_001)).toBe(false);
  });
});

describe('formatDuration', () => {
  it('says a duration in the largest unit that holds it exactly', () => {
    expect(formatDuration(30, 'en')).toBe('30 seconds');
    expect(formatDuration(90, 'en')).toBe('90 seconds');
    expect(formatDuration(300, 'en')).toBe('5 minutes');
    expect(formatDuration(3_600, 'en')).toBe('1 hour');
    expect(formatDuration(604_800, 'en')).toBe('7 days');
    expect(formatDuration(31_536_000, 'en')).toBe('365 days');
  });

  it('speaks French too', () => {
    // French puts a no-break space between the number and the unit.
    expect(formatDuration(30, 'fr')).toMatch(/^30\s+secondes$/);
    expect(formatDuration(3_600, 'fr')).toMatch(/^1\s+heure$/);
    expect(formatDuration(604_800, 'fr')).toMatch(/^7\s+jours$/);
  });
});
