import type { Room } from '@salon/protocol';
import type { RoomPatch } from '../../api';

/** What the settings form holds; retention is a select: leave as is, keep forever, or a number of seconds. */
export interface SettingsForm {
  name: string;
  topic: string;
  visibility: Room['visibility'];
  retention: string;
}

export const RETENTION_UNCHANGED = 'unchanged';
export const RETENTION_FOREVER = 'forever';

export function initialSettings(room: Room): SettingsForm {
  return { name: room.name, topic: room.topic, visibility: room.visibility, retention: RETENTION_UNCHANGED };
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
  if (allowed.retention && form.retention !== RETENTION_UNCHANGED) {
    const seconds = Number(form.retention);
    if (form.retention === RETENTION_FOREVER) patch.retentionSeconds = null;
    else if (Number.isInteger(seconds) && seconds > 0) patch.retentionSeconds = seconds;
  }
  return patch;
}
