import type { SessionInfo } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { formatFullTime, formatTime } from '../chat/formatTime';

/** The user's sessions (where they are logged in), with a way to end any other one. */
export function SessionsSection() {
  const { t, i18n } = useTranslation();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const { busy, error, run } = useAsyncAction();

  const refresh = useCallback(async () => setSessions(await accountApi.listSessions()), []);
  useEffect(() => {
    void run(refresh);
  }, [run, refresh]);

  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <section className="dialog-section" data-testid="sessions-section">
      <h3>{t('account.sessionsTitle')}</h3>
      <FormError error={error} />
      {!sessions && !error && <p className="muted">{t('app.loading')}</p>}
      <ul className="session-list">
        {sessions?.map((s) => (
          <li key={s.id} className="session-item" data-testid="session-item" data-current={String(Boolean(s.current))}>
            <div>
              <strong>{s.userAgent || t('account.unknownDevice')}</strong>
              {s.current && <span className="badge">{t('account.thisSession')}</span>}
              <div className="muted small">
                {t('account.sessionInfo', {
                  ip: s.ip ?? '?',
                  time: formatTime(s.lastSeenAt ?? s.createdAt, i18n.language),
                })}
                <span title={formatFullTime(s.createdAt, i18n.language)}>
                  {' · '}
                  {t('account.sessionSince', { time: formatTime(s.createdAt, i18n.language) })}
                </span>
              </div>
            </div>
            {!s.current && (
              <button
                type="button"
                data-testid="session-revoke"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await accountApi.revokeSession(s.id);
                    await refresh();
                  })
                }
              >
                {t('account.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <div className="dialog-actions">
          <button
            type="button"
            className="danger"
            data-testid="sessions-revoke-others"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await accountApi.revokeOtherSessions();
                await refresh();
              })
            }
          >
            {t('account.revokeOthers')}
          </button>
        </div>
      )}
    </section>
  );
}
