import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConnectionStatus, RealtimeClient } from './RealtimeClient';

export const RealtimeContext = createContext<RealtimeClient | null>(null);

/** The connection of the logged-in session; only valid below <RealtimeProvider>. */
export function useRealtime(): RealtimeClient {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error('useRealtime outside <RealtimeProvider>');
  return client;
}

export function useConnectionStatus(): ConnectionStatus {
  const client = useRealtime();
  return useSyncExternalStore(
    (onChange) => client.on('status', onChange),
    () => client.getStatus(),
  );
}
