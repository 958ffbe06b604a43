import { useTranslation } from 'react-i18next';
import { Notice } from '../../ui/Notice';
import { useRoomNotices, useVerificationWarnings } from './E2eeProvider';

/**
 * What an encrypted room says above its messages: that history from before this device joined cannot be read
 * here (a plain fact of end-to-end encryption, not an error), and, after a desync recovery, that this device had
 * to rejoin the room's group, and when someone this profile verified has a different set of devices now.
 */
export function EncryptionNotices({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const { notices, dismiss } = useRoomNotices(roomId);
  const verification = useVerificationWarnings();
  return (
    <>
      <p className="e2ee-history-note muted" data-testid="e2ee-history-note">
        {t('e2ee.historyNote')}
      </p>
      {notices.some((n) => n.kind === 'desync') && (
        <Notice testId="e2ee-rejoined" onDismiss={dismiss}>
          {t('e2ee.rejoined')}
        </Notice>
      )}
      {verification.userIds.length > 0 && (
        <Notice testId="e2ee-verification-changed" tone="error" onDismiss={verification.dismiss}>
          {t('e2ee.verificationChangedNotice')}
        </Notice>
      )}
    </>
  );
}
