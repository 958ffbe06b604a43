import type { Room } from '@salon/protocol';
import type { RoomPatch } from '../../api';
import { isValidRetention } from '../governance/durations';

/** What the settings form holds; retention is a select: off, or a number of seconds. */
export interface SettingsForm {
  name: string;
  topic: string;
  visibility: Room['visibility'];
  retention: string;
}

export const RETENTION_OFF = 'off';

/** The select's value for a room's retention. */
export function retentionValue(retentionSeconds: number | undefined): string {
  return retentionSeconds === undefined ? RETENTION_OFF : String(retentionSeconds);
}

export function initialSettings(room: Room): SettingsForm {
  return {
    name: room.name,
    topic: room.topic,
    visibility: room.visibility,
    retention: retentionValue(room.retentionSeconds),
  };
}

/**
 * The body of PATCH /api/rooms/:id: only what changed and what the role may change (the server refuses the
 * whole request when it holds one field the role may not set).
 */
export function settingsPatch(
  room: Room,
  form: SettingsForm,
  allowed: { update: boolean; retention: boolean },
): RoomPatch {
  const patch: RoomPatch = {};
  if (allowed.update) {
    const name = form.name.trim();
    const topic = form.topic.trim();
    if (name !== room.name) patch.name = name;
    if (topic !== room.topic) patch.topic = topic;
    if (form.visibility !== room.visibility) patch.visibility = form.visibility;
  }
  if (allowed.retention && form.retention !== retentionValue(room.retentionSeconds)) {
    const seconds = Number(form.retention);
    if (form.retention === RETENTION_OFF) patch.retentionSeconds = null;
    else if (isValidRetention(seconds)) patch.retentionSeconds = seconds;
  }
  return patch;
}
