import type { Room } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { useOptionalE2ee } from '../e2ee/E2eeProvider';
import { useMyInvitations } from './useMyInvitations';

/** The invitations waiting for the current user, in the sidebar; nothing while there are none. */
export function MyInvitations({ onAccepted }: { onAccepted: (room: Room) => Promise<void> }) {
  const { t } = useTranslation();
  const { invitations, error: loadError, remove } = useMyInvitations();
  const { busy, error, run } = useAsyncAction();
  const e2ee = useOptionalE2ee();

  if (invitations.length === 0 && !loadError) return null;

  const accept = (id: string) =>
    void run(async () => {
      // Members' clients add this browser's device to the room's group when it joins: have it ready first.
      await e2ee?.deviceReady();
      const room = await governanceApi.acceptInvitation(id);
      remove(id);
      await onAccepted(room);
    });
  const decline = (id: string) =>
    void run(async () => {
      await governanceApi.declineInvitation(id);
      remove(id);
    });

  return (
    <section className="invitations" data-testid="invitations">
      <h2>{t('invitations.title')}</h2>
      <FormError error={loadError ?? error} />
      <ul className="invitation-list">
        {invitations.map((invitation) => (
          <li
            key={invitation.id}
            className="invitation-item"
            data-testid="invitation-item"
            data-room-name={invitation.room.name}
          >
            <span>
              {t('invitations.from', { inviter: invitation.inviter.displayName, room: invitation.room.name })}
            </span>
            <span className="invitation-actions">
              <button
                type="button"
                className="primary"
                data-testid="invitation-accept"
                disabled={busy}
                onClick={() => accept(invitation.id)}
              >
                {t('invitations.accept')}
              </button>
              <button
                type="button"
                data-testid="invitation-decline"
                disabled={busy}
                onClick={() => decline(invitation.id)}
              >
                {t('invitations.decline')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
