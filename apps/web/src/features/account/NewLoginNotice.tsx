import { useTranslation } from 'react-i18next';
import { Notice } from '../../ui/Notice';
import { useNewLoginNotice } from './useNewLoginNotice';

/** "Your account was just used to log in elsewhere", with the way to the sessions list. */
export function NewLoginNotice({ onReview }: { onReview: () => void }) {
  const { t } = useTranslation();
  const { login, dismiss } = useNewLoginNotice();
  if (!login) return null;
  const { session } = login;
  return (
    <Notice testId="new-login-notice" onDismiss={dismiss}>
      {t(login.newNetwork ? 'account.newLoginNewNetwork' : 'account.newLogin', {
        device: session.userAgent || t('account.unknownDevice'),
        ip: session.ip ?? '?',
      })}{' '}
      <button
        type="button"
        className="link"
        data-testid="new-login-review"
        onClick={() => {
          dismiss();
          onReview();
        }}
      >
        {t('account.reviewSessions')}
      </button>
    </Notice>
  );
}
