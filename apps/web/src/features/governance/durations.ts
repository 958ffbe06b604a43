import { MAX_RETENTION_SECONDS, MIN_RETENTION_SECONDS } from '@salon/protocol';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A choice in a duration select; `key` names its label under `durations` in the translations. */
export interface DurationOption {
  key: 'seconds10' | 'seconds30' | 'minute1' | 'minutes5' | 'hour1' | 'day1' | 'week1' | 'days7' | 'days30' | 'days365';
  seconds: number;
}

/** Lifetimes offered for a new invite link. */
export const LINK_EXPIRIES: readonly DurationOption[] = [
  { key: 'hour1', seconds: HOUR },
  { key: 'day1', seconds: DAY },
  { key: 'days7', seconds: 7 * DAY },
];
export const DEFAULT_LINK_EXPIRY = DAY;
export const DEFAULT_LINK_MAX_USES = 10;
export const MAX_LINK_USES = 10_000;

/** Lengths offered for a mute. */
export const MUTE_DURATIONS: readonly DurationOption[] = [
  { key: 'minutes5', seconds: 5 * MINUTE },
  { key: 'hour1', seconds: HOUR },
  { key: 'day1', seconds: DAY },
  { key: 'days7', seconds: 7 * DAY },
];

/** How long a room keeps the messages sent from now on (the server accepts 30 s to 365 days, or off). */
export const RETENTIONS: readonly DurationOption[] = [
  { key: 'seconds30', seconds: 30 },
  { key: 'minutes5', seconds: 5 * MINUTE },
  { key: 'hour1', seconds: HOUR },
  { key: 'day1', seconds: DAY },
  { key: 'days7', seconds: 7 * DAY },
  { key: 'days30', seconds: 30 * DAY },
  { key: 'days365', seconds: 365 * DAY },
];

/** Timers offered for one message (the server accepts 1 s to 365 days). */
export const MESSAGE_TIMERS: readonly DurationOption[] = [
  { key: 'seconds10', seconds: 10 },
  { key: 'minute1', seconds: MINUTE },
  { key: 'hour1', seconds: HOUR },
  { key: 'day1', seconds: DAY },
  { key: 'week1', seconds: 7 * DAY },
];

/** The timers a message may carry in a room: none longer than the room's retention (the server refuses them). */
export function timersWithin(retentionSeconds: number | undefined): readonly DurationOption[] {
  return retentionSeconds === undefined
    ? MESSAGE_TIMERS
    : MESSAGE_TIMERS.filter((option) => option.seconds <= retentionSeconds);
}

/** A timer the room accepts, else undefined (no timer): a room's retention may shrink after it was chosen. */
export function usableTimer(ttlSeconds: number | undefined, retentionSeconds: number | undefined): number | undefined {
  if (ttlSeconds === undefined || !Number.isInteger(ttlSeconds) || ttlSeconds < 1) return undefined;
  if (retentionSeconds !== undefined && ttlSeconds > retentionSeconds) return undefined;
  return ttlSeconds;
}

/** Whether the server accepts this retention. */
export function isValidRetention(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= MIN_RETENTION_SECONDS && seconds <= MAX_RETENTION_SECONDS;
}

const UNITS: ReadonlyArray<readonly [Intl.NumberFormatOptions['unit'], number]> = [
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
];

/**
 * Any number of seconds in words, in the reader's language ("30 seconds", "5 minutes", "7 jours"), in the largest
 * unit that holds it exactly, so that nothing is rounded away (90 s stays "90 seconds").
 */
export function formatDuration(seconds: number, language: string): string {
  const [unit, size] = UNITS.find(([, size]) => seconds >= size && seconds % size === 0) ?? ['second', 1];
  return new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'long' }).format(seconds / size);
}
