import type { Room } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { EncryptionBadge } from '../e2ee/EncryptionBadge';

interface Props {
  rooms: Room[] | null;
  selectedId: string | null;
  onSelect: (roomId: string) => void;
  onJoin: (roomId: string) => Promise<void>;
}

/** Joined rooms first, then the public ones one could join; alphabetical within each group. */
function sortRooms(rooms: Room[]): Room[] {
  return [...rooms].sort((a, b) => Number(b.joined) - Number(a.joined) || a.name.localeCompare(b.name));
}

export function RoomList({ rooms, selectedId, onSelect, onJoin }: Props) {
  const { t } = useTranslation();
  const { busy, error, run } = useAsyncAction();

  if (rooms === null) return <p className="muted">{t('app.loading')}</p>;
  if (rooms.length === 0) return <p className="muted">{t('rooms.empty')}</p>;

  const join = (roomId: string) =>
    run(async () => {
      await onJoin(roomId);
      onSelect(roomId);
    });

  return (
    <>
      <ul className="room-list">
        {sortRooms(rooms).map((room) => (
          <li
            key={room.id}
            className={`room-item${room.id === selectedId ? ' selected' : ''}${room.joined ? '' : ' not-joined'}`}
            data-testid="room-item"
            data-room-name={room.name}
          >
            <button
              type="button"
              className="room-select"
              aria-current={room.id === selectedId ? 'true' : undefined}
              onClick={() => onSelect(room.id)}
            >
              <span className="room-name">{room.name}</span>
              {room.encrypted && <EncryptionBadge suite={room.suite} testId="room-lock" />}
              {room.visibility === 'private' && <span className="badge">{t('rooms.private')}</span>}
            </button>
            {!room.joined && room.visibility === 'public' && (
              <button type="button" data-testid="join-room" disabled={busy} onClick={() => void join(room.id)}>
                {t('rooms.join')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError error={error} />
    </>
  );
}
