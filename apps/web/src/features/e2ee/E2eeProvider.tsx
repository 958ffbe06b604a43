import type { User } from '@salon/protocol';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';
import { E2eeClient } from './E2eeClient';
import type { WorkerNotice } from './protocol';

export const E2eeContext = createContext<E2eeClient | null>(null);

/** The encryption engine of the logged-in session; only valid below <E2eeProvider>. */
export function useE2ee(): E2eeClient {
  const client = useContext(E2eeContext);
  if (!client) throw new Error('useE2ee outside <E2eeProvider>');
  return client;
}

/** The E2EE client if there is one (the header also renders on the login screen, where there is not). */
export function useOptionalE2ee(): E2eeClient | null {
  return useContext(E2eeContext);
}

/**
 * Starts this tab's E2EE worker for the logged-in user (registering the browser's device on first login) and
 * feeds it the room events it acts on. Keyed by user in App, like the realtime connection.
 */
export function E2eeProvider({ me, children }: { me: User; children: ReactNode }) {
  const realtime = useRealtime();
  const [client] = useState(() => new E2eeClient(me));

  useEffect(() => {
    void client.start();
    return () => client.stop();
  }, [client]);
  useEffect(() => realtime.on('event', (event) => client.onEvent(event)), [realtime, client]);

  return <E2eeContext.Provider value={client}>{children}</E2eeContext.Provider>;
}

/** The engine's notices about one room (desync recovery, failed checks), newest last, until dismissed. */
export function useRoomNotices(roomId: string) {
  const client = useE2ee();
  const [notices, setNotices] = useState<WorkerNotice[]>([]);
  useEffect(() => {
    setNotices([]);
    return client.on('notice', (notice) => {
      if (notice.kind === 'desync' && notice.roomId === roomId) {
        setNotices((list) => [...list.filter((n) => n.kind !== 'desync'), notice]);
      }
    });
  }, [client, roomId]);
  return { notices, dismiss: () => setNotices([]) };
}

/** Users whose verified devices changed since this profile verified them (from the engine's warnings). */
export function useVerificationWarnings() {
  const client = useE2ee();
  const [userIds, setUserIds] = useState<string[]>([]);
  useEffect(
    () =>
      client.on('notice', (notice) => {
        if (notice.kind === 'verification_changed') {
          setUserIds((list) => (list.includes(notice.userId) ? list : [...list, notice.userId]));
        }
      }),
    [client],
  );
  return { userIds, dismiss: () => setUserIds([]) };
}
