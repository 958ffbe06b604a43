import type { TotpSetupResponse } from '@salon/protocol';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, accountApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

interface Props {
  enabled: boolean;
  /** The second factor was turned on (after the recovery codes were acknowledged) or off. */
  onChanged: () => Promise<void>;
}

const codeFailed = (t: (key: string) => string) => (err: unknown) =>
  err instanceof ApiError && err.code === 'totp_invalid' ? t('account.codeFailed') : undefined;

/** Two-factor authentication: enrol (secret and otpauth URI, a first code), recovery codes once, turn off. */
export function TotpSection({ enabled, onChanged }: Props) {
  const { t } = useTranslation();
  const [setup, setSetup] = useState<TotpSetupResponse | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const { busy, error, run } = useAsyncAction();

  if (recoveryCodes) {
    return (
      <section className="dialog-section" data-testid="totp-section" data-state="codes">
        <h3>{t('account.recoveryTitle')}</h3>
        <p>{t('account.recoveryHint')}</p>
        <ul className="recovery-codes" data-testid="recovery-codes">
          {recoveryCodes.map((code) => (
            <li key={code} data-testid="recovery-code">
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <div className="dialog-actions">
          <button
            type="button"
            className="primary"
            data-testid="recovery-codes-done"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await onChanged();
                setRecoveryCodes(null);
              })
            }
          >
            {t('account.recoverySaved')}
          </button>
        </div>
        <FormError error={error} />
      </section>
    );
  }

  if (enabled) {
    return (
      <section className="dialog-section" data-testid="totp-section" data-state="enabled">
        <h3>{t('account.totpTitle')}</h3>
        <p data-testid="totp-status">{t('account.totpOn')}</p>
        <DisableTotpForm onDisabled={onChanged} />
      </section>
    );
  }

  return (
    <section className="dialog-section" data-testid="totp-section" data-state={setup ? 'pending' : 'off'}>
      <h3>{t('account.totpTitle')}</h3>
      {!setup ? (
        <>
          <p data-testid="totp-status">{t('account.totpOff')}</p>
          <div className="dialog-actions">
            <button
              type="button"
              className="primary"
              data-testid="totp-setup"
              disabled={busy}
              onClick={() => void run(async () => setSetup(await accountApi.setupTotp()))}
            >
              {t('account.totpSetup')}
            </button>
          </div>
          <FormError error={error} />
        </>
      ) : (
        <ConfirmTotpForm setup={setup} onConfirmed={setRecoveryCodes} />
      )}
    </section>
  );
}

function ConfirmTotpForm({ setup, onConfirmed }: { setup: TotpSetupResponse; onConfirmed: (codes: string[]) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const { busy, error, run } = useAsyncAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => onConfirmed(await accountApi.confirmTotp(code)));
  };
  return (
    <form className="totp-confirm" onSubmit={submit}>
      <p>{t('account.totpScan')}</p>
      <label>
        {t('account.totpUri')}
        <input data-testid="totp-uri" className="mono" value={setup.uri} readOnly onFocus={(e) => e.target.select()} />
      </label>
      <label>
        {t('account.totpSecret')}
        <input
          data-testid="totp-secret"
          className="mono"
          value={setup.secret}
          readOnly
          onFocus={(e) => e.target.select()}
        />
      </label>
      <label>
        {t('account.totpFirstCode')}
        <input
          data-testid="totp-confirm-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="one-time-code"
          inputMode="numeric"
          required
        />
      </label>
      <FormError error={error} override={codeFailed(t)} />
      <div className="dialog-actions">
        <button type="submit" className="primary" data-testid="totp-confirm" disabled={busy}>
          {t('account.totpConfirm')}
        </button>
      </div>
    </form>
  );
}

function DisableTotpForm({ onDisabled }: { onDisabled: () => Promise<void> }) {
  const { t } = useTranslation();
  const [method, setMethod] = useState<'code' | 'password'>('code');
  const [value, setValue] = useState('');
  const { busy, error, run } = useAsyncAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await accountApi.disableTotp(method === 'code' ? { code: value } : { password: value });
      setValue('');
      await onDisabled();
    });
  };
  const failed = (err: unknown) =>
    codeFailed(t)(err) ??
    (err instanceof ApiError && err.code === 'forbidden' && method === 'password'
      ? t('account.passwordFailed')
      : undefined);
  return (
    <form className="totp-disable" onSubmit={submit}>
      <label>
        {method === 'code' ? t('account.disableWithCode') : t('account.disableWithPassword')}
        <input
          data-testid="totp-disable-value"
          type={method === 'password' ? 'password' : 'text'}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete={method === 'password' ? 'current-password' : 'one-time-code'}
          required
        />
      </label>
      <FormError error={error} override={failed} />
      <div className="dialog-actions">
        <button
          type="button"
          className="link"
          data-testid="totp-disable-method"
          onClick={() => {
            setMethod(method === 'code' ? 'password' : 'code');
            setValue('');
          }}
        >
          {method === 'code' ? t('account.usePassword') : t('account.useCode')}
        </button>
        <button type="submit" className="danger" data-testid="totp-disable" disabled={busy}>
          {t('account.totpDisable')}
        </button>
      </div>
    </form>
  );
}
