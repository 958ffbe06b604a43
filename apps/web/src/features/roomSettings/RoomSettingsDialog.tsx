import type { Room } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { Dialog } from '../../ui/Dialog';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { formatDuration, RETENTIONS } from '../governance/durations';
import { can } from '../governance/permissions';
import { DeleteRoomSection } from './DeleteRoomSection';
import { initialSettings, RETENTION_OFF, settingsPatch } from './settingsPatch';

interface Props {
  room: Room;
  onSaved: () => Promise<void>;
  onDeleted: () => Promise<void>;
  onClose: () => void;
}

/** Name, topic, visibility and retention, as far as the role allows; the owner may also delete the room. */
export function RoomSettingsDialog({ room, onSaved, onDeleted, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState(() => initialSettings(room));
  const [nothing, setNothing] = useState(false);
  const { busy, error, run } = useAsyncAction();
  const allowed = { update: can(room.role, 'room.update'), retention: can(room.role, 'room.set_retention') };
  const current = room.retentionSeconds;
  // A retention set through the API may be none of the usual choices; it is still offered, so that it shows.
  const unusual = current !== undefined && !RETENTIONS.some((option) => option.seconds === current);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch = settingsPatch(room, form, allowed);
    setNothing(Object.keys(patch).length === 0);
    if (Object.keys(patch).length === 0) return;
    void run(async () => {
      await governanceApi.updateRoom(room.id, patch);
      await onSaved();
      onClose();
    });
  };

  return (
    <Dialog title={t('settings.title', { room: room.name })} testId="room-settings-dialog" onClose={onClose}>
      {(allowed.update || allowed.retention) && (
        <form className="dialog-section settings-form" onSubmit={submit}>
          {allowed.update && (
            <>
              <label>
                {t('settings.name')}
                <input
                  data-testid="room-settings-name"
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                  minLength={2}
                  maxLength={64}
                  required
                />
              </label>
              <label>
                {t('settings.topic')}
                <input
                  data-testid="room-settings-topic"
                  value={form.topic}
                  onChange={(e) => setForm({ ...form, topic: e.target.value })}
                  maxLength={500}
                />
              </label>
              <label>
                {t('settings.visibility')}
                <select
                  data-testid="room-settings-visibility"
                  value={form.visibility}
                  onChange={(e) =>
                    setForm({ ...form, visibility: e.target.value === 'private' ? 'private' : 'public' })
                  }
                >
                  <option value="public">{t('rooms.public')}</option>
                  <option value="private">{t('rooms.private')}</option>
                </select>
              </label>
            </>
          )}
          {allowed.retention && (
            <label>
              {t('settings.retention')}
              <small data-testid="room-settings-retention-current">
                {current === undefined
                  ? t('settings.retentionCurrentOff')
                  : t('settings.retentionCurrent', { duration: formatDuration(current, i18n.language) })}
              </small>
              <select
                data-testid="room-settings-retention"
                value={form.retention}
                onChange={(e) => setForm({ ...form, retention: e.target.value })}
              >
                <option value={RETENTION_OFF}>{t('settings.retentionOff')}</option>
                {RETENTIONS.map((option) => (
                  <option key={option.key} value={String(option.seconds)}>
                    {t(`durations.${option.key}`)}
                  </option>
                ))}
                {unusual && <option value={String(current)}>{formatDuration(current, i18n.language)}</option>}
              </select>
              <small>{t('settings.retentionHint')}</small>
            </label>
          )}
          <FormError error={error} />
          {nothing && <p className="muted small">{t('settings.nothingChanged')}</p>}
          <div className="dialog-actions">
            <button type="submit" className="primary" data-testid="room-settings-save" disabled={busy}>
              {t('settings.save')}
            </button>
          </div>
        </form>
      )}
      {can(room.role, 'room.delete') && <DeleteRoomSection room={room} onDeleted={onDeleted} />}
    </Dialog>
  );
}
