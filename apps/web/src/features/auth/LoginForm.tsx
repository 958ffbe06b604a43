import type { User } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, type SecondFactor } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

interface Props {
  onLoggedIn: (user: User) => void;
  onShowRegister: () => void;
}

/** Username and password; then, for an account with a second factor, its code (or a recovery code). */
export function LoginForm({ onLoggedIn, onShowRegister }: Props) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  /** Set once the server answered `totp_required`: the password was right, a second factor is needed. */
  const [factorKind, setFactorKind] = useState<'totp' | 'recovery' | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, run, clearError } = useAsyncAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const factor: SecondFactor | undefined =
      factorKind === 'totp' ? { totp: code } : factorKind === 'recovery' ? { recoveryCode: code } : undefined;
    void run(async () => {
      try {
        onLoggedIn(await api.login(username, password, factor));
      } catch (err) {
        if (err instanceof ApiError && err.code === 'totp_required') {
          setFactorKind('totp');
          return;
        }
        throw err;
      }
    });
  };

  const switchFactor = () => {
    setFactorKind(factorKind === 'totp' ? 'recovery' : 'totp');
    setCode('');
    clearError();
  };

  const loginFailed = (err: unknown) => {
    if (!(err instanceof ApiError)) return undefined;
    if (err.code === 'unauthenticated') return t('auth.loginFailed');
    if (err.code === 'totp_invalid') return t('auth.codeFailed');
    return undefined;
  };

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
          readOnly={factorKind !== null}
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
          readOnly={factorKind !== null}
          required
        />
      </label>
      {factorKind && (
        <label>
          {factorKind === 'totp' ? t('auth.totpCode') : t('auth.recoveryCode')}
          <input
            data-testid="login-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoComplete="one-time-code"
            inputMode={factorKind === 'totp' ? 'numeric' : 'text'}
            autoCapitalize="none"
            // biome-ignore lint/a11y/noAutofocus: the field appears because the user must fill it in now.
            autoFocus
            required
          />
          <small>{factorKind === 'totp' ? t('auth.totpHint') : t('auth.recoveryHint')}</small>
        </label>
      )}
      <FormError error={error} override={loginFailed} />
      <button type="submit" className="primary" data-testid="login-submit" disabled={busy}>
        {busy ? t('auth.working') : t('auth.loginSubmit')}
      </button>
      {factorKind ? (
        <button type="button" className="link" data-testid="login-switch-factor" onClick={switchFactor}>
          {factorKind === 'totp' ? t('auth.useRecoveryCode') : t('auth.useTotp')}
        </button>
      ) : (
        <button type="button" className="link" data-testid="show-register" onClick={onShowRegister}>
          {t('auth.showRegister')}
        </button>
      )}
    </form>
  );
}
