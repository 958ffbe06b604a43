import type { Account } from '@salon/protocol';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../ui/Dialog';
import { SessionsSection } from './SessionsSection';
import { TotpSection } from './TotpSection';

interface Props {
  account: Account;
  onAccountChanged: () => Promise<void>;
  onClose: () => void;
}

/** The account's protection: its second factor and its sessions. */
export function SecurityDialog({ account, onAccountChanged, onClose }: Props) {
  const { t } = useTranslation();
  return (
    <Dialog title={t('account.title')} testId="security-dialog" onClose={onClose}>
      <TotpSection enabled={account.totpEnabled} onChanged={onAccountChanged} />
      <SessionsSection />
    </Dialog>
  );
}
