import type { Account, User } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../../api';

export type Session =
  | { status: 'loading' }
  | { status: 'anonymous'; reason?: ApiError }
  | { status: 'authenticated'; user: User; account: Account };

/** If GET /api/me fails right after a login: an ordinary account, which is what almost every login is. */
const ORDINARY: Account = { platformAdmin: false, totpEnabled: false, totpRequired: false, tier: 'standard' };

/** Who is logged in: asked from GET /api/me, then changed by login, logout, enrolment and session loss. */
export function useSession() {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    api.fetchMe().then(
      (me) => !cancelled && setSession({ status: 'authenticated', ...me }),
      (err: unknown) => {
        if (cancelled) return;
        // A 401 is the ordinary "not logged in"; anything else is worth showing on the login screen.
        const unexpected = err instanceof ApiError && err.code !== 'unauthenticated' ? err : undefined;
        setSession({ status: 'anonymous', reason: unexpected });
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  /** Reads the account again (after enrolling a second factor, say); the user stays logged in meanwhile. */
  const refreshAccount = useCallback(async () => {
    const me = await api.fetchMe();
    setSession({ status: 'authenticated', ...me });
  }, []);

  // The account decides the first screen (enrolment or chat), so it is read before leaving the login screen.
  const loggedIn = useCallback(
    (user: User) => {
      refreshAccount().catch(() => setSession({ status: 'authenticated', user, account: ORDINARY }));
    },
    [refreshAccount],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setSession({ status: 'anonymous' });
    }
  }, []);

  const sessionEnded = useCallback(
    () => setSession({ status: 'anonymous', reason: new ApiError('unauthenticated', 'session ended', 401) }),
    [],
  );

  return { session, loggedIn, logout, sessionEnded, refreshAccount };
}
