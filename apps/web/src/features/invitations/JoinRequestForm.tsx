import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

/** Asks the admins of a room, by name, to let the user in; the answer never says whether the room exists. */
export function JoinRequestForm() {
  const { t } = useTranslation();
  const [roomName, setRoomName] = useState('');
  const [asked, setAsked] = useState(false);
  const { busy, error, run } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked(false);
    void run(async () => {
      await governanceApi.requestToJoin(roomName.trim());
      setAsked(true);
      setRoomName('');
    });
  };

  return (
    <details className="join-request-form">
      <summary>{t('joinRequests.askTitle')}</summary>
      <form onSubmit={submit}>
        <label>
          {t('joinRequests.roomName')}
          <input
            data-testid="join-request-room"
            value={roomName}
            onChange={(e) => setRoomName(e.target.value)}
            maxLength={64}
            required
          />
        </label>
        <button type="submit" data-testid="join-request-submit" disabled={busy}>
          {t('joinRequests.ask')}
        </button>
        <FormError error={error} />
        {asked && (
          <p className="muted small" role="status" data-testid="join-request-sent">
            {t('joinRequests.asked')}
          </p>
        )}
      </form>
    </details>
  );
}
