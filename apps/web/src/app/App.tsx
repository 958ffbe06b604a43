import { useTranslation } from 'react-i18next';
import { AuthScreen } from '../features/auth/AuthScreen';
import { useSession } from '../features/auth/useSession';
import { RealtimeProvider } from '../realtime/RealtimeProvider';
import { Header } from './Header';
import { Workspace } from './Workspace';

export function App() {
  const { t } = useTranslation();
  const { session, loggedIn, logout, sessionEnded } = useSession();

  if (session.status === 'loading') return <p className="muted splash">{t('app.loading')}</p>;

  if (session.status === 'anonymous') {
    return (
      <div className="app">
        <Header />
        <AuthScreen onLoggedIn={loggedIn} reason={session.reason} />
      </div>
    );
  }

  // Keyed by user: a different login gets a fresh connection and fresh state.
  return (
    <RealtimeProvider key={session.user.id} onSessionEnded={sessionEnded}>
      <div className="app">
        <Header user={session.user} onLogout={() => void logout()} />
        <Workspace me={session.user} />
      </div>
    </RealtimeProvider>
  );
}
