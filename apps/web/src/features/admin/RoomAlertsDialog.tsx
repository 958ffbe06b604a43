import type { Room, SecurityAlert } from '@salon/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../../api';
import { Dialog } from '../../ui/Dialog';
import { FormError } from '../../ui/FormError';
import { AlertList } from './AlertList';

/** The room's security alerts (e.g. a member flooding it), for those who may read its audit log. */
export function RoomAlertsDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const { t } = useTranslation();
  const [alerts, setAlerts] = useState<SecurityAlert[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    accountApi.listRoomAlerts(room.id).then(
      (list) => !cancelled && setAlerts(list),
      (err: unknown) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [room.id]);

  return (
    <Dialog title={t('admin.roomTitle', { room: room.name })} testId="room-alerts-dialog" onClose={onClose}>
      <FormError error={error} />
      {!alerts && !error && <p className="muted">{t('app.loading')}</p>}
      {alerts && <AlertList alerts={alerts} />}
    </Dialog>
  );
}
