import type { SecurityAlert } from '@salon/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { AlertList } from './AlertList';
import { markAcknowledged, mergeAlert } from './alerts';

/** Platform administration: security alerts, live (the `security.alert` user event), to acknowledge. */
export function AdminPage() {
  const { t } = useTranslation();
  const client = useRealtime();
  const [alerts, setAlerts] = useState<SecurityAlert[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const { busy, error, run } = useAsyncAction();

  useEffect(() => {
    let cancelled = false;
    // Live alerts arriving before the list are kept and merged into it.
    const early: SecurityAlert[] = [];
    const off = client.on('event', (event) => {
      if (event.kind !== 'security.alert') return;
      const { alert } = event as unknown as { alert?: SecurityAlert };
      if (!alert?.id) return;
      setAlerts((list) => (list ? mergeAlert(list, alert) : list));
      early.push(alert);
    });
    accountApi.listAlerts().then(
      (list) => !cancelled && setAlerts(early.reduce(mergeAlert, list)),
      (err: unknown) => !cancelled && setLoadError(err),
    );
    return () => {
      cancelled = true;
      off();
    };
  }, [client]);

  const acknowledge = (alertId: string) =>
    void run(async () => {
      await accountApi.acknowledgeAlert(alertId);
      setAlerts((list) => list && markAcknowledged(list, alertId, new Date().toISOString()));
    });

  const open = alerts?.filter((a) => !a.acknowledgedAt).length ?? 0;
  return (
    <main className="admin-page" data-testid="admin-page" aria-labelledby="admin-title">
      <header className="admin-header">
        <h2 id="admin-title">{t('admin.title')}</h2>
        {alerts && (
          <span className="muted" data-testid="alerts-open" data-count={open}>
            {t('admin.openCount', { count: open })}
          </span>
        )}
      </header>
      <p className="muted">{t('admin.liveHint')}</p>
      <FormError error={loadError ?? error} />
      {!alerts && !loadError && <p className="muted">{t('app.loading')}</p>}
      {alerts && <AlertList alerts={alerts} onAcknowledge={acknowledge} busy={busy} />}
    </main>
  );
}
