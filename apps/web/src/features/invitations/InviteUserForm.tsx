import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, governanceApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

/** Invites one user by username; they see the invitation at once. */
export function InviteUserForm({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, run } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const name = username.trim().toLowerCase();
    setSentTo(null);
    void run(async () => {
      await governanceApi.inviteUser(roomId, name);
      setSentTo(name);
      setUsername('');
    });
  };

  const specific = (err: unknown) => {
    if (!(err instanceof ApiError)) return undefined;
    if (err.code === 'not_found') return t('invitations.userNotFound');
    if (err.code === 'conflict') return t('invitations.alreadyMember');
    if (err.code === 'forbidden') return t('invitations.userBanned');
    return undefined;
  };

  return (
    <form className="dialog-section" onSubmit={submit}>
      <h3>{t('invitations.byUsername')}</h3>
      <div className="field-row">
        <label>
          {t('invitations.username')}
          <input
            data-testid="invite-username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoCapitalize="none"
            autoComplete="off"
            minLength={3}
            maxLength={32}
            required
          />
        </label>
        <button type="submit" className="primary" data-testid="invite-user-submit" disabled={busy}>
          {t('invitations.send')}
        </button>
      </div>
      <FormError error={error} override={specific} />
      {sentTo && (
        <p className="success" role="status" data-testid="invite-user-sent">
          {t('invitations.sent', { username: sentTo })}
        </p>
      )}
    </form>
  );
}
