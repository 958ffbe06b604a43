import type { AuditResponse, Room } from '@salon/protocol';
import i18next from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { Dialog } from '../../ui/Dialog';
import { FormError } from '../../ui/FormError';
import { formatFullTime, formatTime } from '../chat/formatTime';
import { auditActionKey, auditDetails } from './auditText';

/** The room's audit log, newest first, with the server's verification of its hash chain. */
export function AuditDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [audit, setAudit] = useState<AuditResponse | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    governanceApi.fetchAudit(room.id).then(
      (result) => !cancelled && setAudit(result),
      (err: unknown) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [room.id]);

  const actionText = (action: string) => {
    const key = auditActionKey(action);
    return i18next.exists(key) ? t(key) : action;
  };

  return (
    <Dialog title={t('audit.title', { room: room.name })} testId="audit-dialog" onClose={onClose}>
      <FormError error={error} />
      {!audit && !error && <p className="muted">{t('app.loading')}</p>}
      {audit && (
        <>
          <p
            className={`audit-badge ${audit.verified ? 'ok' : 'broken'}`}
            data-testid="audit-verified"
            data-verified={String(audit.verified)}
          >
            {audit.verified
              ? `✓ ${t('audit.verified')}`
              : `✗ ${t('audit.broken', { position: audit.brokenAt ?? '?' })}`}
          </p>
          {audit.entries.length === 0 && <p className="muted">{t('audit.empty')}</p>}
          <ol className="audit-list">
            {[...audit.entries].reverse().map((entry) => (
              <li
                key={entry.position}
                className={`audit-entry${audit.brokenAt !== undefined && entry.position >= audit.brokenAt ? ' broken' : ''}`}
                data-testid="audit-entry"
                data-action={entry.action}
                data-position={entry.position}
              >
                <div className="audit-line">
                  <span className="audit-position">#{entry.position}</span>
                  <time dateTime={entry.createdAt} title={formatFullTime(entry.createdAt, i18n.language)}>
                    {formatTime(entry.createdAt, i18n.language)}
                  </time>
                  <span>
                    <strong>{entry.actor?.displayName ?? t('audit.system')}</strong> {actionText(entry.action)}
                    {entry.target && <strong> {entry.target.displayName}</strong>}
                  </span>
                </div>
                {auditDetails(entry.details).length > 0 && (
                  <dl className="audit-details">
                    {auditDetails(entry.details).map(([key, value]) => (
                      <div key={key}>
                        <dt>{key}</dt>
                        <dd>{value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
                <code className="audit-hash" title={entry.hash}>
                  {entry.hash.slice(0, 12)}
                </code>
              </li>
            ))}
          </ol>
        </>
      )}
    </Dialog>
  );
}
