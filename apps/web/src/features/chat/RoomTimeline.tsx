import type { User } from '@salon/protocol';
import { useEffect, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';
import { FormError } from '../../ui/FormError';
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
export function RoomTimeline({ roomId, me }: { roomId: string; me: User }) {
  const timeline = useRoomMessages(roomId);
  const { pending, send, dismiss } = usePendingSends(roomId, me, timeline.addMessage);
  const typingUsers = useTypingUsers(roomId, me.id);
  const typingNotifier = useTypingNotifier(roomId);
  const notice = useConnectionNotice();

  return (
    <>
      <FormError error={timeline.error ?? notice} />
      <MessageList
        me={me}
        messages={timeline.messages}
        pending={pending}
        hasOlder={timeline.hasOlder}
        loadingOlder={timeline.loadingOlder}
        onLoadOlder={() => void timeline.loadOlder()}
        onDismiss={dismiss}
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
