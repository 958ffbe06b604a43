import { useTranslation } from 'react-i18next';
import { LockIcon } from './icons';

interface Props {
  /** The room's MLS ciphersuite (84 or 3). */
  suite: number | undefined;
  testId: string;
  /** With the suite's name in words (room header), not only as a tooltip (room list). */
  detailed?: boolean;
}

/** The lock of an end-to-end encrypted room, naming its ciphersuite. */
export function EncryptionBadge({ suite, testId, detailed = false }: Props) {
  const { t } = useTranslation();
  const suiteName = suite === 3 ? t('e2ee.suiteCompact') : t('e2ee.suitePostQuantum');
  const label = t('e2ee.lockLabel', { suite: suiteName });
  return (
    <span
      className={`badge badge-lock${detailed ? ' detailed' : ''}`}
      data-testid={testId}
      data-suite={suite}
      title={label}
      aria-label={label}
      role="img"
    >
      <LockIcon />
      {detailed && <span className="lock-suite">{suiteName}</span>}
    </span>
  );
}
