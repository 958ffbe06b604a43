import type { EventFrame, Room } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { applyRoomUpdated } from './roomEvents';

const lab: Room = {
  id: 'r1',
  name: 'Lab',
  visibility: 'public',
  topic: 'Spectra',
  encrypted: false,
  createdAt: '2025-01-01T00:00:00Z',
  lastSeq: 4,
  role: 'member',
  joined: true,
};
const other: Room = { ...lab, id: 'r2', name: 'Other', role: undefined, joined: false };
const { role: _role, joined: _joined, ...shared } = lab;
const updated = (room: unknown, roomId = 'r1'): EventFrame => ({ type: 'event', roomId, kind: 'room.updated', room });

describe('applyRoomUpdated', () => {
  it('takes the new settings and keeps the reader’s role and membership', () => {
    const rooms = applyRoomUpdated([lab, other], updated({ ...shared, topic: 'Optics', retentionSeconds: 30 }));
    expect(rooms?.[0]).toEqual({ ...lab, topic: 'Optics', retentionSeconds: 30 });
    expect(rooms?.[1]).toBe(other);
  });

  it('drops the retention when the event no longer carries it (retention turned off)', () => {
    const rooms = applyRoomUpdated([{ ...lab, retentionSeconds: 30 }], updated(shared));
    expect(rooms?.[0]).not.toHaveProperty('retentionSeconds');
  });

  it('leaves the list as it is for other events, unknown rooms and malformed ones', () => {
    const rooms = [lab];
    expect(applyRoomUpdated(rooms, { type: 'event', roomId: 'r1', kind: 'message.expired', seqs: [1] })).toBe(rooms);
    expect(applyRoomUpdated(rooms, updated({ ...shared, id: 'r9' }, 'r9'))).toBe(rooms);
    expect(applyRoomUpdated(rooms, updated({ ...shared, id: 'r2' }))).toBe(rooms);
    expect(applyRoomUpdated(rooms, updated({ id: 'r1', name: 'Lab' }))).toBe(rooms);
    expect(applyRoomUpdated(rooms, updated({ ...shared, retentionSeconds: '30' }))).toBe(rooms);
    expect(applyRoomUpdated(null, updated(shared))).toBeNull();
  });
});
