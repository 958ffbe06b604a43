import type { MessageReport, Room } from '@salon/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../../api';
import { Dialog } from '../../ui/Dialog';
import { FormError } from '../../ui/FormError';

/**
 * Verified reports of the room's encrypted messages, for moderators and above: the reported text (revealed by
 * the reporter and checked by the server against what the sender committed to), who sent it and who reported it.
 * Acting on it uses the usual tools: delete the message, mute, kick or ban the sender.
 */
export function RoomReportsDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [reports, setReports] = useState<MessageReport[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    accountApi.listRoomReports(room.id).then(
      (list) => !cancelled && setReports(list),
      (err: unknown) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [room.id]);

  return (
    <Dialog title={t('rooms.reportsTitle', { room: room.name })} testId="room-reports-dialog" onClose={onClose}>
      <FormError error={error} />
      {!reports && !error && <p className="muted">{t('app.loading')}</p>}
      {reports?.length === 0 && <p className="muted">{t('rooms.reportsEmpty')}</p>}
      {reports && reports.length > 0 && (
        <ul className="report-list">
          {reports.map((r) => (
            <li key={r.id} data-testid="room-report" data-seq={r.seq}>
              <div className="muted">
                {t('rooms.reportsBy', {
                  seq: r.seq,
                  sender: r.sender?.displayName ?? '?',
                  reporter: r.reporter?.displayName ?? '?',
                })}{' '}
                <time dateTime={r.createdAt}>{new Date(r.createdAt).toLocaleString(i18n.language)}</time>
              </div>
              <blockquote data-testid="room-report-text">{r.text}</blockquote>
              {r.reason && <div className="muted">{r.reason}</div>}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
