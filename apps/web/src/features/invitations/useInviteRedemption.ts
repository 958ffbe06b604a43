import type { Room } from '@salon/protocol';
import { useEffect, useRef, useState } from 'react';
import { governanceApi } from '../../api';
import { useOptionalE2ee } from '../e2ee/E2eeProvider';
import { parseInviteHash } from './inviteLink';

export type Redemption = { status: 'idle' } | { status: 'joining' } | { status: 'failed'; error: unknown };

/**
 * Redeems an invite link found in the address (`#invite=<token>`) once the user is logged in: at start (also
 * right after logging in, since the fragment survives the login screen) and when the fragment changes in an
 * open tab. The fragment is cleared first, so a reload never redeems twice. The link is redeemed once this
 * browser's encryption device is ready, so that members' clients can add it to the room's group at once.
 */
export function useInviteRedemption(onJoined: (room: Room) => Promise<void>) {
  const [redemption, setRedemption] = useState<Redemption>({ status: 'idle' });
  const joined = useRef(onJoined);
  useEffect(() => {
    joined.current = onJoined;
  });
  const e2ee = useOptionalE2ee();

  useEffect(() => {
    const redeem = () => {
      const token = parseInviteHash(location.hash);
      if (token === null) return;
      history.replaceState(null, '', `${location.pathname}${location.search}`);
      setRedemption({ status: 'joining' });
      const deviceReady = e2ee?.deviceReady() ?? Promise.resolve();
      deviceReady
        .then(() => governanceApi.redeemLink(token))
        .then(
          async (room) => {
            await joined.current(room);
            setRedemption({ status: 'idle' });
          },
          (error: unknown) => setRedemption({ status: 'failed', error }),
        );
    };
    redeem();
    window.addEventListener('hashchange', redeem);
    return () => window.removeEventListener('hashchange', redeem);
  }, [e2ee]);

  return { redemption, dismiss: () => setRedemption({ status: 'idle' }) };
}
