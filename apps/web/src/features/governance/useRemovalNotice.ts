import type { Room } from '@salon/protocol';
import { useEffect, useRef, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';
import { type RoomRemoval, removalOf } from './removal';

export interface RemovalNotice extends RoomRemoval {
  roomName: string;
}

/**
 * Watches for the current user being kicked or banned from a room, or the room being deleted, while it is open:
 * closes it (`onRemoved`) and keeps a notice to explain why.
 */
export function useRemovalNotice(meId: string, rooms: Room[] | null, onRemoved: (roomId: string) => void) {
  const client = useRealtime();
  const [notice, setNotice] = useState<RemovalNotice | null>(null);
  // Read when an event arrives, without re-subscribing on every change.
  const latest = useRef({ rooms, onRemoved });
  useEffect(() => {
    latest.current = { rooms, onRemoved };
  });

  useEffect(
    () =>
      client.on('event', (event) => {
        const removal = removalOf(event, meId);
        if (!removal) return;
        const roomName = latest.current.rooms?.find((r) => r.id === removal.roomId)?.name ?? removal.roomId;
        setNotice({ ...removal, roomName });
        latest.current.onRemoved(removal.roomId);
      }),
    [client, meId],
  );

  return { notice, dismiss: () => setNotice(null) };
}
