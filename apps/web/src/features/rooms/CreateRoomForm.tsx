import type { Room } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import type { RoomsApi } from './useRooms';

interface Props {
  onCreate: RoomsApi['create'];
  onCreated: (room: Room) => void;
}

export function CreateRoomForm({ onCreate, onCreated }: Props) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [topic, setTopic] = useState('');
  // Private rooms are end-to-end encrypted; the suite is the only choice (post-quantum unless asked otherwise).
  const [suite, setSuite] = useState<84 | 3>(84);
  const { busy, error, run } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const room = await onCreate({
        name: name.trim(),
        visibility,
        topic: topic.trim() || undefined,
        ...(visibility === 'private' ? { suite } : {}),
      });
      setName('');
      setTopic('');
      onCreated(room);
    });
  };

  return (
    <form className="create-room" onSubmit={submit}>
      <h2>{t('rooms.createTitle')}</h2>
      <label>
        {t('rooms.name')}
        <input
          data-testid="create-room-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          minLength={2}
          maxLength={64}
          required
        />
      </label>
      <label>
        {t('rooms.visibility')}
        <select
          data-testid="create-room-visibility"
          value={visibility}
          onChange={(e) => setVisibility(e.target.value === 'private' ? 'private' : 'public')}
        >
          <option value="public">{t('rooms.public')}</option>
          <option value="private">{t('rooms.private')}</option>
        </select>
      </label>
      {visibility === 'private' && (
        <label>
          {t('e2ee.suiteChoice')}
          <select
            data-testid="create-room-suite"
            value={suite}
            onChange={(e) => setSuite(e.target.value === '3' ? 3 : 84)}
          >
            <option value={84}>{t('e2ee.suitePostQuantum')}</option>
            <option value={3}>{t('e2ee.suiteCompact')}</option>
          </select>
        </label>
      )}
      <label>
        {t('rooms.topic')}
        <input
          data-testid="create-room-topic"
          value={topic}
          onChange={(e) => setTopic(e.target.value)}
          maxLength={500}
        />
      </label>
      <FormError error={error} />
      <button type="submit" className="primary" data-testid="create-room-submit" disabled={busy}>
        {t('rooms.create')}
      </button>
    </form>
  );
}
