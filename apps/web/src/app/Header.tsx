import type { User } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { LogoutButton } from '../features/e2ee/LogoutButton';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { ConnectionIndicator } from '../realtime/ConnectionIndicator';

interface Props {
  /** Absent on the login screen, where there is no connection or session to show. */
  user?: User;
  /** Inside <RealtimeProvider>: the connection's status is shown. */
  live?: boolean;
  onLogout?: () => void;
  /** Opens the account's security settings (second factor, sessions); absent where they cannot be used yet. */
  onOpenSecurity?: () => void;
  /** Platform administrators only: whether the administration page is shown, and the way in and out. */
  admin?: { shown: boolean; toggle: () => void };
}

export function Header({ user, live, onLogout, onOpenSecurity, admin }: Props) {
  const { t } = useTranslation();
  return (
    <header className="app-header">
      <span className="app-name">{t('app.name')}</span>
      <div className="header-tools">
        {user && live && <ConnectionIndicator />}
        {user && (
          <span className="current-user" title={`@${user.username}`}>
            {t('app.signedInAs', { name: user.displayName })}
          </span>
        )}
        {admin && (
          <button type="button" data-testid="admin-toggle" aria-pressed={admin.shown} onClick={admin.toggle}>
            {admin.shown ? t('app.backToChat') : t('app.administration')}
          </button>
        )}
        {onOpenSecurity && (
          <button type="button" data-testid="security-open" onClick={onOpenSecurity}>
            {t('app.security')}
          </button>
        )}
        <LanguageSwitch />
        {user && onLogout && <LogoutButton onLogout={onLogout} />}
      </div>
    </header>
  );
}
