import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Ban, governanceApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { formatFullTime } from '../chat/formatTime';

/** Who is banned from the room, loaded when shown; each ban can be lifted. */
export function BanList({ roomId }: { roomId: string }) {
  const { t, i18n } = useTranslation();
  const client = useRealtime();
  const [open, setOpen] = useState(false);
  const [bans, setBans] = useState<Ban[] | null>(null);
  const { busy, error, run } = useAsyncAction();

  const load = useCallback(() => run(async () => setBans(await governanceApi.listBans(roomId))), [run, roomId]);

  useEffect(() => {
    if (!open) return;
    void load();
    return client.on('event', (event) => {
      if (event.roomId === roomId && event.kind === 'member.banned') void load();
    });
  }, [open, load, client, roomId]);

  const unban = (userId: string) =>
    void run(async () => {
      await governanceApi.unban(roomId, userId);
      setBans((list) => list?.filter((b) => b.user.id !== userId) ?? null);
    });

  return (
    <section className="panel-section">
      <button
        type="button"
        className="link align-start"
        data-testid="bans-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {open ? t('members.hideBans') : t('members.showBans')}
      </button>
      {open && (
        <>
          <FormError error={error} />
          {bans?.length === 0 && <p className="muted">{t('members.noBans')}</p>}
          <ul className="member-list">
            {bans?.map((ban) => (
              <li key={ban.user.id} className="member-item" data-testid="ban-item" data-username={ban.user.username}>
                <div className="member-row">
                  <span
                    className="member-name"
                    title={t('members.bannedOn', { time: formatFullTime(ban.createdAt, i18n.language) })}
                  >
                    {ban.user.displayName}
                  </span>
                  <button type="button" data-testid="ban-remove" disabled={busy} onClick={() => unban(ban.user.id)}>
                    {t('members.unban')}
                  </button>
                </div>
                {ban.reason && <p className="muted small">{ban.reason}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
