import { useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  /** The first button's test id; the confirmation is `${testId}-confirm`, the way back `${testId}-cancel`. */
  testId: string;
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
}

/** A destructive action asked twice, inline (no blocking browser dialog). */
export function ConfirmButton({ testId, label, question, confirmLabel, onConfirm, disabled, className }: Props) {
  const { t } = useTranslation();
  const [armed, setArmed] = useState(false);

  if (!armed) {
    return (
      <button
        type="button"
        className={className}
        data-testid={testId}
        disabled={disabled}
        onClick={() => setArmed(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm-inline">
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        data-testid={`${testId}-confirm`}
        disabled={disabled}
        onClick={() => {
          setArmed(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" data-testid={`${testId}-cancel`} onClick={() => setArmed(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
