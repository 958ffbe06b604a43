import { useTranslation } from 'react-i18next';
import { TotpSection } from './TotpSection';

interface Props {
  onEnrolled: () => Promise<void>;
}

/** Where the platform requires a second factor, an account without one sees only this until it enrols. */
export function EnrolmentScreen({ onEnrolled }: Props) {
  const { t } = useTranslation();
  return (
    <main className="auth-screen">
      <div className="auth-form" data-testid="totp-enrolment">
        <h1>{t('account.enrolTitle')}</h1>
        <p>{t('account.enrolHint')}</p>
        <TotpSection enabled={false} onChanged={onEnrolled} />
      </div>
    </main>
  );
}
