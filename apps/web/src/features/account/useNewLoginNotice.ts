import type { SessionInfo } from '@salon/protocol';
import { useEffect, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';

export interface NewLogin {
  session: SessionInfo;
  /** No other live session of the user came from that address. */
  newNetwork: boolean;
}

/** The latest `security.new_login` event: someone (the user, hopefully) logged in elsewhere. */
export function useNewLoginNotice() {
  const client = useRealtime();
  const [login, setLogin] = useState<NewLogin | null>(null);
  useEffect(
    () =>
      client.on('event', (event) => {
        if (event.kind !== 'security.new_login') return;
        const { session, newNetwork } = event as unknown as Partial<NewLogin>;
        if (session?.id) setLogin({ session, newNetwork: newNetwork === true });
      }),
    [client],
  );
  return { login, dismiss: () => setLogin(null) };
}
