import type { EventFrame, Room } from '@salon/protocol';

type SharedRoom = Omit<Room, 'role' | 'joined'>;

/** The room of a `room.updated` event: the fields every member shares (no role, no `joined`). */
function isSharedRoom(value: unknown): value is SharedRoom {
  if (typeof value !== 'object' || value === null) return false;
  const room = value as Record<string, unknown>;
  return (
    typeof room.id === 'string' &&
    typeof room.name === 'string' &&
    (room.visibility === 'public' || room.visibility === 'private') &&
    typeof room.topic === 'string' &&
    typeof room.encrypted === 'boolean' &&
    typeof room.createdAt === 'string' &&
    typeof room.lastSeq === 'number' &&
    (room.retentionSeconds === undefined || typeof room.retentionSeconds === 'number')
  );
}

/**
 * The room list after a `room.updated` event: the room's shared fields are the event's (a field it leaves out, such
 * as `retentionSeconds` once retention is off, is gone), the reader's own (`role`, `joined`) are kept. Other events,
 * unknown rooms and malformed events leave the list unchanged (the same array, so React skips the render).
 */
export function applyRoomUpdated(rooms: Room[] | null, event: EventFrame): Room[] | null {
  if (event.kind !== 'room.updated' || !rooms || !isSharedRoom(event.room) || event.room.id !== event.roomId) {
    return rooms;
  }
  const index = rooms.findIndex((room) => room.id === event.roomId);
  const current = rooms[index];
  if (!current) return rooms;
  const { role: _role, joined: _joined, ...shared } = event.room as SharedRoom & Partial<Room>;
  const next = [...rooms];
  next[index] = { ...shared, ...(current.role ? { role: current.role } : {}), joined: current.joined };
  return next;
}
