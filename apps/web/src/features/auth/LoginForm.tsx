import type { User } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

interface Props {
  onLoggedIn: (user: User) => void;
  onShowRegister: () => void;
}

export function LoginForm({ onLoggedIn, onShowRegister }: Props) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => onLoggedIn(await api.login(username, password)));
  };

  const loginFailed = (err: unknown) =>
    err instanceof ApiError && err.code === 'unauthenticated' ? t('auth.loginFailed') : undefined;

  return (
    <form className="auth-form" onSubmit={submit}>
      <h1>{t('auth.loginTitle')}</h1>
      <label>
        {t('auth.username')}
        <input
          data-testid="login-username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoCapitalize="none"
          required
        />
      </label>
      <label>
        {t('auth.password')}
        <input
          data-testid="login-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          required
        />
      </label>
      <FormError error={error} override={loginFailed} />
      <button type="submit" className="primary" data-testid="login-submit" disabled={busy}>
        {busy ? t('auth.working') : t('auth.loginSubmit')}
      </button>
      <button type="button" className="link" data-testid="show-register" onClick={onShowRegister}>
        {t('auth.showRegister')}
      </button>
    </form>
  );
}
