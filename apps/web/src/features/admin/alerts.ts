import type { SecurityAlert } from '@salon/protocol';

/** Adds a live alert to a list (newest first), once: the same alert may also come with the initial fetch. */
export function mergeAlert(list: SecurityAlert[], alert: SecurityAlert): SecurityAlert[] {
  return list.some((a) => a.id === alert.id) ? list : [alert, ...list];
}

/** Marks one alert acknowledged (as the server did), leaving the others as they are. */
export function markAcknowledged(list: SecurityAlert[], alertId: string, at: string): SecurityAlert[] {
  return list.map((a) => (a.id === alertId && !a.acknowledgedAt ? { ...a, acknowledgedAt: at } : a));
}
