import type { Role, User } from '@salon/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { governanceApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { FormError } from '../../ui/FormError';
import { useOptionalE2ee } from '../e2ee/E2eeProvider';
import { EncryptionNotices } from '../e2ee/EncryptionNotices';
import { can } from '../governance/permissions';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { TypingIndicator } from './TypingIndicator';
import { useExpiryScheduler } from './useExpiryScheduler';
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

interface Props {
  roomId: string;
  me: User;
  role: Role | undefined;
  /** The room's retention (kept live by `room.updated`), when it has one. */
  retentionSeconds: number | undefined;
  /** End-to-end encrypted: messages go through the E2EE worker both ways. */
  encrypted?: boolean;
}

/** The messages of a joined room with the composer; mounted once per room (keyed by room id). */
export function RoomTimeline({ roomId, me, role, retentionSeconds, encrypted = false }: Props) {
  const timeline = useRoomMessages(roomId, encrypted);
  const { markDeleted, dropExpired: dropExpiredMessages } = timeline;
  /** The last delete or report that failed. */
  const [actionError, setActionError] = useState<unknown>(null);
  const {
    pending,
    send,
    dismiss,
    dropExpired: dropExpiredPending,
  } = usePendingSends(roomId, me, retentionSeconds, timeline.addMessage, encrypted);
  const typingUsers = useTypingUsers(roomId, me.id);
  const typingNotifier = useTypingNotifier(roomId);
  const notice = useConnectionNotice();

  // One scheduler for everything on screen that disappears: it removes each message (and each pending send with a
  // timer) at its end, and re-renders the list when a countdown moves on.
  const expiring = useMemo(() => [...timeline.messages, ...pending], [timeline.messages, pending]);
  useExpiryScheduler(expiring, (now) => {
    dropExpiredMessages(now);
    dropExpiredPending(now);
  });

  const e2ee = useOptionalE2ee();
  const [reported, setReported] = useState<ReadonlySet<number>>(() => new Set());
  const reportMessage = useCallback(
    (seq: number) => {
      setActionError(null);
      e2ee?.report(roomId, seq).then(() => setReported((before) => new Set([...before, seq])), setActionError);
    },
    [e2ee, roomId],
  );

  const deleteMessage = useCallback(
    (seq: number) => {
      setActionError(null);
      governanceApi.deleteMessage(roomId, seq).then(() => markDeleted(seq), setActionError);
    },
    [roomId, markDeleted],
  );

  return (
    <>
      {encrypted && <EncryptionNotices roomId={roomId} />}
      <FormError error={timeline.error ?? actionError ?? notice} />
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
        onReport={encrypted && e2ee ? reportMessage : undefined}
        reported={reported}
      />
      <TypingIndicator users={typingUsers} />
      <Composer
        onSend={(body, ttlSeconds) => {
          typingNotifier.reset();
          send(body, ttlSeconds);
        }}
        onTyping={typingNotifier.notify}
        retentionSeconds={retentionSeconds}
      />
    </>
  );
}
