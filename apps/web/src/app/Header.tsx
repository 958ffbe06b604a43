import type { User } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { ConnectionIndicator } from '../realtime/ConnectionIndicator';

interface Props {
  /** Absent on the login screen, where there is no connection or session to show. */
  user?: User;
  onLogout?: () => void;
}

export function Header({ user, onLogout }: Props) {
  const { t } = useTranslation();
  return (
    <header className="app-header">
      <span className="app-name">{t('app.name')}</span>
      <div className="header-tools">
        {user && <ConnectionIndicator />}
        {user && (
          <span className="current-user" title={`@${user.username}`}>
            {t('app.signedInAs', { name: user.displayName })}
          </span>
        )}
        <LanguageSwitch />
        {user && onLogout && (
          <button type="button" data-testid="logout" onClick={onLogout}>
            {t('app.logout')}
          </button>
        )}
      </div>
    </header>
  );
}
