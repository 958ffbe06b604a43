import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useOptionalE2ee } from './E2eeProvider';

/**
 * Logging out asks whether to erase this browser's encryption keys too (a shared or borrowed computer): the
 * device is then removed at the server and its keys, group states and decrypted history deleted here; encrypted
 * history read on it cannot be read here again.
 */
export function LogoutButton({ onLogout }: { onLogout: () => void }) {
  const { t } = useTranslation();
  const e2ee = useOptionalE2ee();
  const [asking, setAsking] = useState(false);
  const [wipe, setWipe] = useState(false);
  const [busy, setBusy] = useState(false);

  if (!e2ee) {
    return (
      <button type="button" data-testid="logout" onClick={onLogout}>
        {t('app.logout')}
      </button>
    );
  }
  if (!asking) {
    return (
      <button type="button" data-testid="logout" onClick={() => setAsking(true)}>
        {t('app.logout')}
      </button>
    );
  }
  const confirm = async () => {
    setBusy(true);
    try {
      // Best effort: a failed wipe must not keep the user logged in on a computer they are leaving.
      if (wipe) await e2ee.wipe().catch(() => undefined);
    } finally {
      setBusy(false);
      onLogout();
    }
  };
  return (
    <span className="confirm-inline logout-confirm">
      <label>
        <input type="checkbox" data-testid="logout-wipe" checked={wipe} onChange={(e) => setWipe(e.target.checked)} />
        {t('e2ee.wipeOnLogout')}
      </label>
      <button
        type="button"
        className="danger"
        data-testid="logout-confirm"
        disabled={busy}
        onClick={() => void confirm()}
      >
        {t('app.logout')}
      </button>
      <button type="button" data-testid="logout-cancel" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
