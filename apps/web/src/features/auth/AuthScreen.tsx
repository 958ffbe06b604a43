import type { User } from '@salon/protocol';
import { useState } from 'react';
import { FormError } from '../../ui/FormError';
import { LoginForm } from './LoginForm';
import { RegisterForm } from './RegisterForm';

interface Props {
  onLoggedIn: (user: User) => void;
  /** Why the user sees this screen, when it is not the ordinary first visit (e.g. the session ended). */
  reason?: unknown;
}

export function AuthScreen({ onLoggedIn, reason }: Props) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  return (
    <main className="auth-screen">
      <FormError error={reason} />
      {mode === 'login' ? (
        <LoginForm onLoggedIn={onLoggedIn} onShowRegister={() => setMode('register')} />
      ) : (
        <RegisterForm onLoggedIn={onLoggedIn} onShowLogin={() => setMode('login')} />
      )}
    </main>
  );
}
