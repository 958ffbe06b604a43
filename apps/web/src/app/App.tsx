import { useTranslation } from 'react-i18next';
import { EnrolmentScreen } from '../features/account/EnrolmentScreen';
import { AuthScreen } from '../features/auth/AuthScreen';
import { useSession } from '../features/auth/useSession';
import { E2eeProvider } from '../features/e2ee/E2eeProvider';
import { RealtimeProvider } from '../realtime/RealtimeProvider';
import { Header } from './Header';
import { SignedIn } from './SignedIn';

export function App() {
  const { t } = useTranslation();
  const { session, loggedIn, logout, sessionEnded, refreshAccount } = useSession();

  if (session.status === 'loading') return <p className="muted splash">{t('app.loading')}</p>;

  if (session.status === 'anonymous') {
    return (
      <div className="app">
        <Header />
        <AuthScreen onLoggedIn={loggedIn} reason={session.reason} />
      </div>
    );
  }

  // The platform requires a second factor and this account has none: nothing else until it enrols.
  if (session.account.totpRequired && !session.account.totpEnabled) {
    return (
      <div className="app">
        <Header user={session.user} onLogout={() => void logout()} />
        <EnrolmentScreen onEnrolled={refreshAccount} />
      </div>
    );
  }

  // Keyed by user: a different login gets a fresh connection and fresh state.
  return (
    <RealtimeProvider key={session.user.id} onSessionEnded={sessionEnded}>
      <E2eeProvider me={session.user}>
        <SignedIn
          user={session.user}
          account={session.account}
          onLogout={() => void logout()}
          onAccountChanged={refreshAccount}
        />
      </E2eeProvider>
    </RealtimeProvider>
  );
}
