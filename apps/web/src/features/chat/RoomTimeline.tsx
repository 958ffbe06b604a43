import type { Role, User } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { governanceApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { FormError } from '../../ui/FormError';
import { can } from '../governance/permissions';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { TypingIndicator } from './TypingIndicator';
import { usePendingSends } from './usePendingSends';
import { useRoomMessages } from './useRoomMessages';
import { useTypingNotifier, useTypingUsers } from './useTyping';

const NOTICE_MS = 6_000;

/** Errors the server reports outside any request we track (e.g. rate limiting); shown briefly. */
function useConnectionNotice(): unknown {
  const client = useRealtime();
  const [notice, setNotice] = useState<unknown>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.on('error', (error) => {
      setNotice(error);
      clearTimeout(timer);
      timer = setTimeout(() => setNotice(null), NOTICE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client]);
  return notice;
}

/** The messages of a joined room with the composer; mounted once per room (keyed by room id). */
export function RoomTimeline({ roomId, me, role }: { roomId: string; me: User; role: Role | undefined }) {
  const timeline = useRoomMessages(roomId);
  const { markDeleted } = timeline;
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const { pending, send, dismiss } = usePendingSends(roomId, me, timeline.addMessage);
  const typingUsers = useTypingUsers(roomId, me.id);
  const typingNotifier = useTypingNotifier(roomId);
  const notice = useConnectionNotice();

  const deleteMessage = useCallback(
    (seq: number) => {
      setDeleteError(null);
      governanceApi.deleteMessage(roomId, seq).then(() => markDeleted(seq), setDeleteError);
    },
    [roomId, markDeleted],
  );

  return (
    <>
      <FormError error={timeline.error ?? deleteError ?? notice} />
      <MessageList
        me={me}
        messages={timeline.messages}
        pending={pending}
        hasOlder={timeline.hasOlder}
        loadingOlder={timeline.loadingOlder}
        onLoadOlder={() => void timeline.loadOlder()}
        onDismiss={dismiss}
        canDeleteAny={can(role, 'message.delete_any')}
        onDelete={deleteMessage}
      />
      <TypingIndicator users={typingUsers} />
      <Composer
        onSend={(body) => {
          typingNotifier.reset();
          send(body);
        }}
        onTyping={typingNotifier.notify}
      />
    </>
  );
}
