import { useCallback, useEffect, useState } from 'react';
import { governanceApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { applyMemberEvent, type MemberView, withKnownMutes } from './memberEvents';

/**
 * A room's members: fetched once, then kept current by the room's `member.*` events (the room is subscribed
 * while it is open), and fetched again after a reconnection or an action of ours.
 */
export function useMembers(roomId: string) {
  const client = useRealtime();
  const [members, setMembers] = useState<MemberView[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      const fetched = await governanceApi.listMembers(roomId);
      setMembers((previous) => withKnownMutes(fetched, previous));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [roomId]);

  useEffect(() => {
    void reload();
    const offEvent = client.on('event', (event) => {
      if (event.roomId !== roomId || !event.kind.startsWith('member.')) return;
      const now = new Date();
      setMembers((list) => list && applyMemberEvent(list, event, now));
    });
    const offStatus = client.on('status', (status) => {
      if (status === 'connected') void reload();
    });
    return () => {
      offEvent();
      offStatus();
    };
  }, [client, roomId, reload]);

  return { members, error, reload };
}
