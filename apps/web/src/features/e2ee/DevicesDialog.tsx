import type { User } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../ui/Dialog';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { formatFullTime } from '../chat/formatTime';
import { useE2ee } from './E2eeProvider';
import type { DevicesReport } from './protocol';
import { QrCode } from './QrCode';

interface Props {
  me: User;
  user: User;
  onClose: () => void;
}

/**
 * A member's devices with their key fingerprints, and (for someone else) the safety number both users should
 * see alike, as digits and as a QR code. Marking the user verified pins their current device keys: a device the
 * server adds later is refused in encrypted rooms until it is verified again (threat: a server-added device).
 */
export function DevicesDialog({ me, user, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const e2ee = useE2ee();
  const [report, setReport] = useState<DevicesReport | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const { busy, error, run } = useAsyncAction();
  const self = user.id === me.id;

  const load = useCallback(() => e2ee.devices(me, user).then(setReport, setLoadError), [e2ee, me, user]);
  useEffect(() => {
    void load();
  }, [load]);

  const markVerified = () =>
    run(async () => {
      if (!report) return;
      await e2ee.verify(user, report.keys);
      await load();
    });

  return (
    <Dialog title={t('e2ee.devicesTitle', { name: user.displayName })} testId="devices-dialog" onClose={onClose}>
      <FormError error={loadError ?? error} />
      {report === null ? (
        <p className="muted">{t('app.loading')}</p>
      ) : (
        <div className="devices-screen">
          {report.changedSinceVerified && (
            <p className="notice notice-error" role="alert" data-testid="verification-changed">
              {t('e2ee.verificationChanged', { name: user.displayName })}
            </p>
          )}
          <h3>{t('e2ee.devicesHeading')}</h3>
          {report.devices.length === 0 ? (
            <p className="muted">{t('e2ee.noDevices')}</p>
          ) : (
            <ul className="device-list">
              {report.devices.map((d) => (
                <li key={d.id} className="device-item" data-testid="device-item" data-device-id={d.id}>
                  <div className="device-row">
                    <span className="device-name">{d.name}</span>
                    {d.current && <span className="badge">{t('e2ee.thisDevice')}</span>}
                    {!self && d.verified && <span className="badge badge-verified">{t('e2ee.verifiedBadge')}</span>}
                  </div>
                  <code className="fingerprint" data-testid="device-fingerprint">
                    {d.fingerprint}
                  </code>
                  <span className="muted device-since">
                    {t('e2ee.deviceSince', { time: formatFullTime(d.createdAt, i18n.language) })}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {!self && report.safetyNumber && report.qr && (
            <section className="safety" aria-label={t('e2ee.safetyTitle')}>
              <h3>{t('e2ee.safetyTitle')}</h3>
              <p className="muted">{t('e2ee.safetyHint', { name: user.displayName })}</p>
              <code className="safety-number" data-testid="safety-number">
                {report.safetyNumber}
              </code>
              <QrCode value={report.qr} label={t('e2ee.safetyQr')} testId="safety-qr" />
              {report.verified ? (
                <p className="verified-state" data-testid="verified-state" data-verified="true">
                  {t('e2ee.verified', { name: user.displayName })}
                </p>
              ) : (
                <button
                  type="button"
                  className="primary"
                  data-testid="mark-verified"
                  disabled={busy}
                  onClick={() => void markVerified()}
                >
                  {t('e2ee.markVerified')}
                </button>
              )}
            </section>
          )}
        </div>
      )}
    </Dialog>
  );
}
