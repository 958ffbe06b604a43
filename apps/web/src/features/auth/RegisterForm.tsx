import type { User } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

interface Props {
  onLoggedIn: (user: User) => void;
  onShowLogin: () => void;
}

export function RegisterForm({ onLoggedIn, onShowLogin }: Props) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.register({ username, password, displayName: displayName.trim() || undefined });
      // Registering does not open a session; logging in right away is what the user expects.
      onLoggedIn(await api.login(username, password));
    });
  };

  return (
    <form className="auth-form" onSubmit={submit}>
      <h1>{t('auth.registerTitle')}</h1>
      <label>
        {t('auth.username')}
        <input
          data-testid="register-username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoCapitalize="none"
          minLength={3}
          maxLength={32}
          pattern="[A-Za-z0-9_.\-]+"
          title={t('auth.usernameHint')}
          required
        />
        <small>{t('auth.usernameHint')}</small>
      </label>
      <label>
        {t('auth.displayName')}
        <input
          data-testid="register-displayname"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          autoComplete="nickname"
          maxLength={64}
        />
      </label>
      <label>
        {t('auth.password')}
        <input
          data-testid="register-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          minLength={10}
          maxLength={1024}
          required
        />
        <small>{t('auth.passwordHint')}</small>
      </label>
      <FormError error={error} />
      <button type="submit" className="primary" data-testid="register-submit" disabled={busy}>
        {busy ? t('auth.working') : t('auth.registerSubmit')}
      </button>
      <button type="button" className="link" data-testid="show-login" onClick={onShowLogin}>
        {t('auth.showLogin')}
      </button>
    </form>
  );
}
