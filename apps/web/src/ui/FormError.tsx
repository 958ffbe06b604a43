import { useTranslation } from 'react-i18next';
import { errorText } from '../i18n/errorText';

interface Props {
  error: unknown;
  /** Replaces the generic text for some codes, e.g. a failed login is not an "ended session". */
  override?: (error: unknown) => string | undefined;
}

export function FormError({ error, override }: Props) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {override?.(error) ?? errorText(t, error)}
    </p>
  );
}
