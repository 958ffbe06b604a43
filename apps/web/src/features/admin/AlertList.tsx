import type { SecurityAlert } from '@salon/protocol';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatFullTime, formatTime } from '../chat/formatTime';

interface Props {
  alerts: SecurityAlert[];
  /** Given to platform administrators, who may acknowledge alerts. */
  onAcknowledge?: (alertId: string) => void;
  busy?: boolean;
}

/** Security alerts, newest first: what a detection rule saw and what it did about it. */
export function AlertList({ alerts, onAcknowledge, busy }: Props) {
  const { t, i18n } = useTranslation();
  if (alerts.length === 0)
    return (
      <p className="muted" data-testid="alerts-empty">
        {t('admin.noAlerts')}
      </p>
    );
  const ruleText = (rule: string) => (i18next.exists(`admin.rules.${rule}`) ? t(`admin.rules.${rule}`) : rule);
  return (
    <ul className="alert-list">
      {alerts.map((alert) => (
        <li
          key={alert.id}
          className={`alert-item severity-${alert.severity}${alert.acknowledgedAt ? ' acknowledged' : ''}`}
          data-testid="alert-item"
          data-rule={alert.rule}
          data-acknowledged={String(alert.acknowledgedAt !== null)}
        >
          <div className="alert-line">
            <span className={`badge severity-${alert.severity}`}>{t(`admin.severity.${alert.severity}`)}</span>
            <strong>{ruleText(alert.rule)}</strong>
            <time dateTime={alert.createdAt} title={formatFullTime(alert.createdAt, i18n.language)}>
              {formatTime(alert.createdAt, i18n.language)}
            </time>
          </div>
          <div>{alert.summary}</div>
          <div className="muted small">
            {t('admin.response', { response: alert.response })}
            {alert.ip && ` · ${t('admin.address', { ip: alert.ip })}`}
          </div>
          {alert.acknowledgedAt ? (
            <div className="muted small">
              {t('admin.acknowledgedAt', { time: formatTime(alert.acknowledgedAt, i18n.language) })}
            </div>
          ) : (
            onAcknowledge && (
              <div className="dialog-actions">
                <button type="button" data-testid="alert-ack" disabled={busy} onClick={() => onAcknowledge(alert.id)}>
                  {t('admin.acknowledge')}
                </button>
              </div>
            )
          )}
        </li>
      ))}
    </ul>
  );
}
