import type { CreateRoomBody, EventFrame, Room } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { useE2ee } from '../e2ee/E2eeProvider';
import { applyRoomUpdated } from './roomEvents';

/** The rooms the user can see (joined ones and public ones), kept fresh after every change the user makes. */
export function useRooms() {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const e2ee = useE2ee();

  const refresh = useCallback(async () => {
    try {
      setRooms(await api.listRooms());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  // New public rooms are not pushed to everyone, so look again whenever the user comes back to the tab.
  useEffect(() => {
    void refresh();
    const onFocus = () => void refresh();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [refresh]);

  const create = useCallback(
    async (body: CreateRoomBody) => {
      const room = await api.createRoom(body);
      // The creator makes the room's MLS group at once; should that fail, opening the room makes it later.
      await e2ee.createRoom(room).catch(() => undefined);
      await refresh();
      return room;
    },
    [refresh, e2ee],
  );

  const join = useCallback(
    async (roomId: string) => {
      await api.joinRoom(roomId);
      await refresh();
    },
    [refresh],
  );

  const leave = useCallback(
    async (roomId: string) => {
      await api.leaveRoom(roomId);
      await refresh();
    },
    [refresh],
  );

  /** Applies a room's new settings (`room.updated`) at once, without waiting for the list to be fetched again. */
  const applyEvent = useCallback((event: EventFrame) => setRooms((list) => applyRoomUpdated(list, event)), []);

  return { rooms, error, refresh, create, join, leave, applyEvent };
}

export type RoomsApi = ReturnType<typeof useRooms>;
