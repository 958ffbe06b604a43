import type { Room, User } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { RoomTimeline } from './RoomTimeline';

interface Props {
  room: Room;
  me: User;
  onJoin: (roomId: string) => Promise<void>;
  onLeave: (roomId: string) => Promise<void>;
}

export function ChatView({ room, me, onJoin, onLeave }: Props) {
  const { t } = useTranslation();
  const { busy, error, run } = useAsyncAction();

  return (
    <section className="chat" aria-labelledby="room-title">
      <header className="chat-header">
        <div className="chat-title">
          <h2 id="room-title">{room.name}</h2>
          {room.topic && <p className="topic">{room.topic}</p>}
        </div>
        {room.joined ? (
          <button
            type="button"
            data-testid="leave-room"
            disabled={busy}
            onClick={() => void run(() => onLeave(room.id))}
          >
            {t('rooms.leave')}
          </button>
        ) : (
          room.visibility === 'public' && (
            <button
              type="button"
              className="primary"
              data-testid="join-room"
              disabled={busy}
              onClick={() => void run(() => onJoin(room.id))}
            >
              {t('rooms.join')}
            </button>
          )
        )}
      </header>
      <FormError error={error} />
      {room.joined ? (
        <RoomTimeline key={room.id} roomId={room.id} me={me} />
      ) : (
        <p className="muted not-joined-notice">{t('rooms.notJoined')}</p>
      )}
    </section>
  );
}
