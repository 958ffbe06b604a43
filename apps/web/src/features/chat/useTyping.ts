import type { User } from '@salon/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';

const NOTIFY_EVERY_MS = 3_000;
const SHOW_FOR_MS = 4_000;

/**
 * `notify` is called on each keystroke and tells the room at most every 3 s. `reset` is called on send: readers
 * drop the notice when the message arrives, so typing the next message must be announced at once.
 */
export function useTypingNotifier(roomId: string) {
  const client = useRealtime();
  const lastSent = useRef(0);
  const notify = useCallback(() => {
    const now = Date.now();
    if (now - lastSent.current < NOTIFY_EVERY_MS) return;
    lastSent.current = now;
    client.typing(roomId);
  }, [client, roomId]);
  const reset = useCallback(() => {
    lastSent.current = 0;
  }, []);
  return { notify, reset };
}

/** Who else is typing in the room: each notice shows its sender for 4 s, or until their message arrives. */
export function useTypingUsers(roomId: string, meId: string): User[] {
  const client = useRealtime();
  const [typing, setTyping] = useState<User[]>([]);

  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const remove = (userId: string) => {
      clearTimeout(timers.get(userId));
      timers.delete(userId);
      setTyping((list) => list.filter((u) => u.id !== userId));
    };
    const offTyping = client.on('typing', ({ roomId: room, user }) => {
      if (room !== roomId || user.id === meId) return;
      clearTimeout(timers.get(user.id));
      timers.set(
        user.id,
        setTimeout(() => remove(user.id), SHOW_FOR_MS),
      );
      setTyping((list) => [...list.filter((u) => u.id !== user.id), user]);
    });
    const offMessage = client.on('message', (message) => {
      if (message.roomId === roomId) remove(message.sender.id);
    });
    return () => {
      offTyping();
      offMessage();
      for (const timer of timers.values()) clearTimeout(timer);
      setTyping([]);
    };
  }, [client, roomId, meId]);

  return typing;
}
