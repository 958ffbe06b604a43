import type { Role } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { formatFullTime } from '../chat/formatTime';
import { KeyIcon } from '../e2ee/icons';
import { memberActions } from '../governance/permissions';
import { MemberMenu } from './MemberMenu';
import { isMuted, type MemberView } from './memberEvents';

interface Props {
  roomId: string;
  member: MemberView;
  mine: Role | undefined;
  isSelf: boolean;
  menuOpen: boolean;
  onToggleMenu: () => void;
  onChanged: () => void;
  /** In an encrypted room: opens the member's devices and safety number. */
  onShowDevices?: () => void;
}

export function MemberItem({ roomId, member, mine, isSelf, menuOpen, onToggleMenu, onChanged, onShowDevices }: Props) {
  const { t, i18n } = useTranslation();
  const actions = memberActions(mine, member.role, isSelf);
  const anyAction = actions.setRole || actions.kick || actions.ban || actions.mute;
  const muted = isMuted(member, new Date());
  const name = member.user.displayName;

  return (
    <li className="member-item" data-testid="member-item" data-username={member.user.username} data-role={member.role}>
      <div className="member-row">
        <span className="member-name" title={`@${member.user.username}`}>
          {name}
          {isSelf && <span className="muted"> {t('members.you')}</span>}
        </span>
        {muted && member.mutedUntil && (
          <span
            className="badge"
            data-testid="member-muted"
            title={t('members.mutedUntil', { time: formatFullTime(member.mutedUntil, i18n.language) })}
          >
            {t('members.muted')}
          </span>
        )}
        <span className={`role-badge role-${member.role}`} data-testid="member-role">
          {t(`roles.${member.role}`)}
        </span>
        {onShowDevices && (
          <button
            type="button"
            className="icon-button"
            data-testid="member-devices"
            aria-label={t('e2ee.showDevices', { name })}
            title={t('e2ee.showDevices', { name })}
            onClick={onShowDevices}
          >
            <KeyIcon />
          </button>
        )}
        {anyAction && (
          <button
            type="button"
            className="icon-button"
            data-testid="member-menu"
            aria-expanded={menuOpen}
            aria-label={t('members.menu', { name })}
            title={t('members.menu', { name })}
            onClick={onToggleMenu}
          >
            ⋯
          </button>
        )}
      </div>
      {menuOpen && anyAction && (
        <MemberMenu roomId={roomId} member={member} mine={mine} actions={actions} muted={muted} onDone={onChanged} />
      )}
    </li>
  );
}
