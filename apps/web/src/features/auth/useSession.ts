import type { User } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../../api';

export type Session =
  | { status: 'loading' }
  | { status: 'anonymous'; reason?: ApiError }
  | { status: 'authenticated'; user: User };

/** Who is logged in: asked once from GET /api/me, then changed by login, logout and session loss. */
export function useSession() {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    api.fetchMe().then(
      (user) => !cancelled && setSession({ status: 'authenticated', user }),
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

  const loggedIn = useCallback((user: User) => setSession({ status: 'authenticated', user }), []);

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

  return { session, loggedIn, logout, sessionEnded };
}
