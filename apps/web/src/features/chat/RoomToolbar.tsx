import type { Room } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { can } from '../governance/permissions';

export type RoomDialog = 'invite' | 'settings' | 'audit' | 'alerts' | 'reports';

interface Props {
  room: Room;
  membersShown: boolean;
  onToggleMembers: () => void;
  onOpen: (dialog: RoomDialog) => void;
}

/** The governance tools of a joined room; each appears only when the role allows what it leads to. */
export function RoomToolbar({ room, membersShown, onToggleMembers, onOpen }: Props) {
  const { t } = useTranslation();
  const role = room.role;
  return (
    <div className="room-tools" role="toolbar" aria-label={t('rooms.tools')}>
      <button type="button" data-testid="members-toggle" aria-pressed={membersShown} onClick={onToggleMembers}>
        {t('rooms.members')}
      </button>
      {(can(role, 'invitation.create') || can(role, 'link.create')) && (
        <button type="button" data-testid="invite-open" onClick={() => onOpen('invite')}>
          {t('rooms.invite')}
        </button>
      )}
      {(can(role, 'room.update') || can(role, 'room.set_retention') || can(role, 'room.delete')) && (
        <button type="button" data-testid="room-settings-open" onClick={() => onOpen('settings')}>
          {t('rooms.settings')}
        </button>
      )}
      {can(role, 'audit.view') && (
        <button type="button" data-testid="audit-open" onClick={() => onOpen('audit')}>
          {t('rooms.audit')}
        </button>
      )}
      {can(role, 'audit.view') && (
        <button type="button" data-testid="room-alerts-open" onClick={() => onOpen('alerts')}>
          {t('rooms.alerts')}
        </button>
      )}
      {room.encrypted && can(role, 'message.delete_any') && (
        <button type="button" data-testid="room-reports-open" onClick={() => onOpen('reports')}>
          {t('rooms.reports')}
        </button>
      )}
    </div>
  );
}
