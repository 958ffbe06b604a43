import type { User } from '@salon/protocol';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ChatView } from '../features/chat/ChatView';
import { CreateRoomForm } from '../features/rooms/CreateRoomForm';
import { RoomList } from '../features/rooms/RoomList';
import { useRooms } from '../features/rooms/useRooms';
import { useRealtime } from '../realtime/RealtimeContext';
import { FormError } from '../ui/FormError';
import { useSelectedRoom } from './useSelectedRoom';

/** Events after which our view of the room list (membership, names, visibility) may be stale. */
const ROOM_LIST_EVENTS = /^(member\.|room\.)/;

export function Workspace({ me }: { me: User }) {
  const { t } = useTranslation();
  const client = useRealtime();
  const rooms = useRooms();
  const [selectedId, select] = useSelectedRoom();
  const selected = rooms.rooms?.find((room) => room.id === selectedId);
  const { refresh } = rooms;

  useEffect(
    () =>
      client.on('event', (event) => {
        if (ROOM_LIST_EVENTS.test(event.kind)) void refresh();
      }),
    [client, refresh],
  );

  return (
    <div className="workspace">
      <nav className="sidebar" aria-label={t('rooms.title')}>
        <h2>{t('rooms.title')}</h2>
        <FormError error={rooms.error} />
        <RoomList rooms={rooms.rooms} selectedId={selectedId} onSelect={select} onJoin={rooms.join} />
        <CreateRoomForm onCreate={rooms.create} onCreated={(room) => select(room.id)} />
      </nav>
      <main className="main-pane">
        {selected ? (
          <ChatView room={selected} me={me} onJoin={rooms.join} onLeave={rooms.leave} />
        ) : (
          <p className="muted empty-pane">{t('rooms.noSelection')}</p>
        )}
      </main>
    </div>
  );
}
