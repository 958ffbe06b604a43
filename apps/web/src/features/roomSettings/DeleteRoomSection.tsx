import type { Room } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

/** Deleting a room cannot be undone, so the owner types its name to confirm. */
export function DeleteRoomSection({ room, onDeleted }: { room: Room; onDeleted: () => Promise<void> }) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed !== room.name) return;
    void run(async () => {
      await governanceApi.deleteRoom(room.id);
      await onDeleted();
    });
  };

  return (
    <form className="dialog-section danger-zone" onSubmit={submit}>
      <h3>{t('settings.deleteTitle')}</h3>
      <p className="muted small">{t('settings.deleteHint')}</p>
      <label>
        {t('settings.deleteTypeName', { name: room.name })}
        <input
          data-testid="room-delete-confirm-name"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
        />
      </label>
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="submit" className="danger" data-testid="room-delete" disabled={busy || typed !== room.name}>
          {t('settings.delete')}
        </button>
      </div>
    </form>
  );
}
