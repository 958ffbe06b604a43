import type { Invitation } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { governanceApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';

function isInvitation(value: unknown): value is Invitation {
  if (typeof value !== 'object' || value === null) return false;
  const { id, room } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof room === 'object' && room !== null;
}

/**
 * Pending invitations addressed to the current user: fetched at start, after a reconnection and when the tab
 * comes back, and added live from `invitation.received` events (which reach every socket of the invitee).
 */
export function useMyInvitations() {
  const client = useRealtime();
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    try {
      setInvitations(await governanceApi.listMyInvitations());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    void refresh();
    const offEvent = client.on('event', (event) => {
      const { invitation } = event;
      if (event.kind !== 'invitation.received' || !isInvitation(invitation)) return;
      // Inviting twice renews the same invitation (same id): show it once, on top.
      setInvitations((list) => [invitation, ...list.filter((i) => i.id !== invitation.id)]);
    });
    const offStatus = client.on('status', (status) => {
      if (status === 'connected') void refresh();
    });
    const onFocus = () => void refresh();
    window.addEventListener('focus', onFocus);
    return () => {
      offEvent();
      offStatus();
      window.removeEventListener('focus', onFocus);
    };
  }, [client, refresh]);

  const remove = useCallback((id: string) => setInvitations((list) => list.filter((i) => i.id !== id)), []);

  return { invitations, error, remove };
}
