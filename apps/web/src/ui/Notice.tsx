import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  testId: string;
  tone?: 'info' | 'error';
  onDismiss?: () => void;
  children: ReactNode;
}

/** A banner above the main pane (e.g. "you were removed from the room"), kept until dismissed. */
export function Notice({ testId, tone = 'info', onDismiss, children }: Props) {
  const { t } = useTranslation();
  return (
    <div className={`notice notice-${tone}`} data-testid={testId} role={tone === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      {onDismiss && (
        <button type="button" className="link" data-testid={`${testId}-dismiss`} onClick={onDismiss}>
          {t('common.dismiss')}
        </button>
      )}
    </div>
  );
}
