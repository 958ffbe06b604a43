import { type ReactNode, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { RealtimeClient } from './RealtimeClient';
import { RealtimeContext } from './RealtimeContext';

interface Props {
  onSessionEnded: () => void;
  children: ReactNode;
}

function socketUrl(): string {
  return `${location.origin.replace(/^http/, 'ws')}/ws`;
}

/** A network failure says nothing about the session, so only an explicit 401 counts as "gone". */
async function isSessionAlive(): Promise<boolean> {
  try {
    await api.fetchMe();
    return true;
  } catch (err) {
    return !(err instanceof ApiError && err.code === 'unauthenticated');
  }
}

/** Owns the WebSocket for as long as a user is logged in. */
export function RealtimeProvider({ onSessionEnded, children }: Props) {
  const [client] = useState(() => new RealtimeClient({ url: socketUrl(), isSessionAlive }));

  useEffect(() => {
    client.start();
    const onOnline = () => client.reconnectNow();
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('online', onOnline);
      client.stop();
    };
  }, [client]);

  useEffect(() => client.on('sessionEnded', onSessionEnded), [client, onSessionEnded]);

  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}
