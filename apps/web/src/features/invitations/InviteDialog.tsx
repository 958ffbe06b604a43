import type { Room } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../ui/Dialog';
import { can } from '../governance/permissions';
import { InviteLinkForm } from './InviteLinkForm';
import { InviteUserForm } from './InviteUserForm';

export function InviteDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog title={t('invitations.dialogTitle', { room: room.name })} testId="invite-dialog" onClose={onClose}>
      {can(room.role, 'invitation.create') && <InviteUserForm roomId={room.id} />}
      {can(room.role, 'link.create') && <InviteLinkForm room={room} />}
    </Dialog>
  );
}
