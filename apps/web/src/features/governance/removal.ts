import type { EventFrame, User } from '@salon/protocol';
import { isUser } from '../members/memberEvents';

/** Why the current user lost a room while it was open. */
export interface RoomRemoval {
  kind: 'kicked' | 'banned' | 'deleted';
  roomId: string;
  by?: User;
  reason?: string;
}

/**
 * The removal of the current user that a room event announces, or null: a kick or ban of someone else, and a
 * room deletion the user did themselves, are not news to them.
 */
export function removalOf(event: EventFrame, meId: string): RoomRemoval | null {
  const by = isUser(event.by) ? event.by : undefined;
  const reason = typeof event.reason === 'string' && event.reason.trim() !== '' ? event.reason : undefined;
  if (event.kind === 'room.deleted') {
    return by?.id === meId ? null : { kind: 'deleted', roomId: event.roomId, by };
  }
  if (event.kind !== 'member.kicked' && event.kind !== 'member.banned') return null;
  if (!isUser(event.user) || event.user.id !== meId) return null;
  return { kind: event.kind === 'member.kicked' ? 'kicked' : 'banned', roomId: event.roomId, by, reason };
}
