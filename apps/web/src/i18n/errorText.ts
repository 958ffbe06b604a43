import i18next, { type TFunction } from 'i18next';
import { ApiError } from '../api';

/** Readable, translated text for a failure; unknown codes fall back to the server's own message. */
export function errorText(t: TFunction, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const key = error instanceof ApiError ? `errors.${error.code}` : '';
  return key && i18next.exists(key) ? t(key, { message }) : t('errors.generic', { message });
}
