import type { Account, User } from '@salon/protocol';
import { useState } from 'react';
import { NewLoginNotice } from '../features/account/NewLoginNotice';
import { SecurityDialog } from '../features/account/SecurityDialog';
import { AdminPage } from '../features/admin/AdminPage';
import { Header } from './Header';
import { Workspace } from './Workspace';

interface Props {
  user: User;
  account: Account;
  onLogout: () => void;
  onAccountChanged: () => Promise<void>;
}

const ADMIN_HASH = '#admin';

/** A logged-in user's screen: the chat, or the administration page for platform administrators. */
export function SignedIn({ user, account, onLogout, onAccountChanged }: Props) {
  const [adminShown, setAdminShown] = useState(() => account.platformAdmin && location.hash === ADMIN_HASH);
  const [securityShown, setSecurityShown] = useState(false);

  // In the URL fragment, so that a reload keeps an administrator on the page they were on.
  const showAdmin = (shown: boolean) => {
    setAdminShown(shown);
    history.replaceState(null, '', `${location.pathname}${location.search}${shown ? ADMIN_HASH : ''}`);
  };

  return (
    <div className="app">
      <Header
        user={user}
        live
        onLogout={onLogout}
        onOpenSecurity={() => setSecurityShown(true)}
        admin={account.platformAdmin ? { shown: adminShown, toggle: () => showAdmin(!adminShown) } : undefined}
      />
      <NewLoginNotice onReview={() => setSecurityShown(true)} />
      {adminShown && account.platformAdmin ? <AdminPage /> : <Workspace me={user} />}
      {securityShown && (
        <SecurityDialog account={account} onAccountChanged={onAccountChanged} onClose={() => setSecurityShown(false)} />
      )}
    </div>
  );
}
