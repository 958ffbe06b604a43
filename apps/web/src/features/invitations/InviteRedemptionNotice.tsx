import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { errorText } from '../../i18n/errorText';
import { Notice } from '../../ui/Notice';
import type { Redemption } from './useInviteRedemption';

/** Progress and failure of an invite link opened in the address bar. */
export function InviteRedemptionNotice({ redemption, onDismiss }: { redemption: Redemption; onDismiss: () => void }) {
  const { t } = useTranslation();
  if (redemption.status === 'idle') return null;
  if (redemption.status === 'joining') {
    return <Notice testId="invite-redemption">{t('invitations.joining')}</Notice>;
  }
  const { error } = redemption;
  const code = error instanceof ApiError ? error.code : '';
  const reason =
    code === 'not_found'
      ? t('invitations.linkNotFound')
      : code === 'forbidden'
        ? t('invitations.linkBanned')
        : errorText(t, error);
  return (
    <Notice testId="invite-redemption" tone="error" onDismiss={onDismiss}>
      {t('invitations.linkFailed', { error: reason })}
    </Notice>
  );
}
