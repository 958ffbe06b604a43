import type { Room, User } from '@salon/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { RoomAlertsDialog } from '../admin/RoomAlertsDialog';
import { RoomReportsDialog } from '../admin/RoomReportsDialog';
import { AuditDialog } from '../audit/AuditDialog';
import { EncryptionBadge } from '../e2ee/EncryptionBadge';
import { can } from '../governance/permissions';
import { InviteDialog } from '../invitations/InviteDialog';
import { MemberPanel } from '../members/MemberPanel';
import { RoomSettingsDialog } from '../roomSettings/RoomSettingsDialog';
import { RoomTimeline } from './RoomTimeline';
import { type RoomDialog, RoomToolbar } from './RoomToolbar';

/** Same breakpoint as styles.css. */
const NARROW = '(max-width: 700px)';

interface Props {
  room: Room;
  me: User;
  onJoin: (roomId: string) => Promise<void>;
  onLeave: (roomId: string) => Promise<void>;
  /** The room's settings changed (name, topic, visibility): the room list needs a refresh. */
  onChanged: () => Promise<void>;
  /** The current user deleted the room. */
  onDeleted: (roomId: string) => Promise<void>;
}

export function ChatView({ room, me, onJoin, onLeave, onChanged, onDeleted }: Props) {
  const { t } = useTranslation();
  const { busy, error, run } = useAsyncAction();
  const [dialog, setDialog] = useState<RoomDialog | null>(null);
  // Beside the messages on wide screens; on narrow ones it would push them away, so it waits to be asked for.
  const [membersShown, setMembersShown] = useState(() => !window.matchMedia?.(NARROW).matches);
  const close = () => setDialog(null);

  return (
    <section className="chat" aria-labelledby="room-title">
      <header className="chat-header">
        <div className="chat-title">
          <div className="chat-title-row">
            <h2 id="room-title">{room.name}</h2>
            {room.encrypted && <EncryptionBadge suite={room.suite} testId="room-header-lock" detailed />}
          </div>
          {room.topic && <p className="topic">{room.topic}</p>}
        </div>
        <div className="chat-header-tools">
          {room.joined && (
            <RoomToolbar
              room={room}
              membersShown={membersShown}
              onToggleMembers={() => setMembersShown(!membersShown)}
              onOpen={setDialog}
            />
          )}
          {room.joined
            ? can(room.role, 'room.leave') && (
                <button
                  type="button"
                  data-testid="leave-room"
                  disabled={busy}
                  onClick={() => void run(() => onLeave(room.id))}
                >
                  {t('rooms.leave')}
                </button>
              )
            : room.visibility === 'public' && (
                <button
                  type="button"
                  className="primary"
                  data-testid="join-room"
                  disabled={busy}
                  onClick={() => void run(() => onJoin(room.id))}
                >
                  {t('rooms.join')}
                </button>
              )}
        </div>
      </header>
      <FormError error={error} />
      {room.joined ? (
        <div className="chat-body">
          <div className="chat-main">
            <RoomTimeline
              key={room.id}
              roomId={room.id}
              me={me}
              role={room.role}
              retentionSeconds={room.retentionSeconds}
              encrypted={room.encrypted}
            />
          </div>
          {membersShown && <MemberPanel key={room.id} room={room} me={me} />}
        </div>
      ) : (
        <p className="muted not-joined-notice">{t('rooms.notJoined')}</p>
      )}
      {room.joined && dialog === 'invite' && <InviteDialog room={room} onClose={close} />}
      {room.joined && dialog === 'settings' && (
        <RoomSettingsDialog room={room} onSaved={onChanged} onDeleted={() => onDeleted(room.id)} onClose={close} />
      )}
      {room.joined && dialog === 'audit' && <AuditDialog room={room} onClose={close} />}
      {room.joined && dialog === 'alerts' && <RoomAlertsDialog room={room} onClose={close} />}
      {room.joined && dialog === 'reports' && <RoomReportsDialog room={room} onClose={close} />}
    </section>
  );
}
