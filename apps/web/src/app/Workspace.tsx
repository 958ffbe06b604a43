import type { Room, User } from '@salon/protocol';
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ChatView } from '../features/chat/ChatView';
import { preloadMarkdown } from '../features/chat/MessageBody';
import { RemovalNoticeText } from '../features/governance/RemovalNoticeText';
import { useRemovalNotice } from '../features/governance/useRemovalNotice';
import { InviteRedemptionNotice } from '../features/invitations/InviteRedemptionNotice';
import { JoinRequestForm } from '../features/invitations/JoinRequestForm';
import { MyInvitations } from '../features/invitations/MyInvitations';
import { useInviteRedemption } from '../features/invitations/useInviteRedemption';
import { CreateRoomForm } from '../features/rooms/CreateRoomForm';
import { RoomList } from '../features/rooms/RoomList';
import { useRooms } from '../features/rooms/useRooms';
import { useRealtime } from '../realtime/RealtimeContext';
import { FormError } from '../ui/FormError';
import { Notice } from '../ui/Notice';
import { useSelectedRoom } from './useSelectedRoom';

/** Events after which our view of the room list (membership, names, visibility, our role) may be stale. */
const ROOM_LIST_EVENTS = /^(member\.|room\.)/;

export function Workspace({ me }: { me: User }) {
  const { t } = useTranslation();
  const client = useRealtime();
  const rooms = useRooms();
  const [selectedId, select] = useSelectedRoom();
  const selected = rooms.rooms?.find((room) => room.id === selectedId);
  const { refresh, applyEvent } = rooms;

  // The message renderer is a chunk of its own; fetched now, it is usually there when the first messages are.
  useEffect(preloadMarkdown, []);

  useEffect(
    () =>
      client.on('event', (event) => {
        if (!ROOM_LIST_EVENTS.test(event.kind)) return;
        // `room.updated` carries the new settings (retention included): shown at once, then confirmed by the list.
        applyEvent(event);
        void refresh();
      }),
    [client, refresh, applyEvent],
  );

  /** A room the user just entered (invitation, link): show it in the list and open it. */
  const openJoined = useCallback(
    async (room: Room) => {
      await refresh();
      select(room.id);
    },
    [refresh, select],
  );

  const closeRoom = useCallback(
    (roomId: string) => {
      if (roomId === selectedId) select(null);
    },
    [selectedId, select],
  );
  const removal = useRemovalNotice(me.id, rooms.rooms, closeRoom);
  const invite = useInviteRedemption(openJoined);

  return (
    <div className="workspace">
      <nav className="sidebar" aria-label={t('rooms.title')}>
        <MyInvitations onAccepted={openJoined} />
        <h2>{t('rooms.title')}</h2>
        <FormError error={rooms.error} />
        <RoomList rooms={rooms.rooms} selectedId={selectedId} onSelect={select} onJoin={rooms.join} />
        <CreateRoomForm onCreate={rooms.create} onCreated={(room) => select(room.id)} />
        <JoinRequestForm />
      </nav>
      <main className="main-pane">
        {removal.notice && (
          <Notice testId="room-notice" onDismiss={removal.dismiss}>
            <RemovalNoticeText notice={removal.notice} />
          </Notice>
        )}
        <InviteRedemptionNotice redemption={invite.redemption} onDismiss={invite.dismiss} />
        {selected ? (
          <ChatView
            room={selected}
            me={me}
            onJoin={rooms.join}
            onLeave={rooms.leave}
            onChanged={refresh}
            onDeleted={async (roomId) => {
              closeRoom(roomId);
              await refresh();
            }}
          />
        ) : (
          <p className="muted empty-pane">{t('rooms.noSelection')}</p>
        )}
      </main>
    </div>
  );
}
