const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A choice in a duration select; `key` names its label under `durations` in the translations. */
export interface DurationOption {
  key: 'minutes5' | 'hour1' | 'day1' | 'days7' | 'days30' | 'days90' | 'year1';
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

/** How long a room may keep its messages. */
export const RETENTIONS: readonly DurationOption[] = [
  { key: 'day1', seconds: DAY },
  { key: 'days7', seconds: 7 * DAY },
  { key: 'days30', seconds: 30 * DAY },
  { key: 'days90', seconds: 90 * DAY },
  { key: 'year1', seconds: 365 * DAY },
];
