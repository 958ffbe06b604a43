import type { Room, User } from '@salon/protocol';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../ui/FormError';
import { DevicesDialog } from '../e2ee/DevicesDialog';
import { can, compareByRole } from '../governance/permissions';
import { BanList } from './BanList';
import { JoinRequests } from './JoinRequests';
import { MemberItem } from './MemberItem';
import { useMembers } from './useMembers';

interface Props {
  room: Room;
  me: User;
}

/** The members of the open room with their roles, and the moderation tools the current role allows. */
export function MemberPanel({ room, me }: Props) {
  const { t } = useTranslation();
  const titleId = useId();
  const { members, error, reload } = useMembers(room.id);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [devicesOf, setDevicesOf] = useState<User | null>(null);

  return (
    <aside className="member-panel" aria-labelledby={titleId} data-testid="member-panel">
      {can(room.role, 'invitation.create') && <JoinRequests roomId={room.id} />}
      <h3 id={titleId} className="panel-title">
        {t('members.title')}
        {members && <span className="count">{members.length}</span>}
      </h3>
      <FormError error={error} />
      {members === null ? (
        <p className="muted">{t('app.loading')}</p>
      ) : (
        <ul className="member-list">
          {[...members].sort(compareByRole).map((member) => (
            <MemberItem
              key={member.user.id}
              roomId={room.id}
              member={member}
              mine={room.role}
              isSelf={member.user.id === me.id}
              menuOpen={menuFor === member.user.id}
              onToggleMenu={() => setMenuFor((open) => (open === member.user.id ? null : member.user.id))}
              onChanged={() => {
                setMenuFor(null);
                void reload();
              }}
              onShowDevices={room.encrypted ? () => setDevicesOf(member.user) : undefined}
            />
          ))}
        </ul>
      )}
      {can(room.role, 'member.ban') && <BanList roomId={room.id} />}
      {devicesOf && <DevicesDialog me={me} user={devicesOf} onClose={() => setDevicesOf(null)} />}
    </aside>
  );
}
