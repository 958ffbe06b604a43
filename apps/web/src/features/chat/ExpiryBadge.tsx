import { useTranslation } from 'react-i18next';
import type { CountdownUnit } from './expiry';
import { formatFullTime } from './formatTime';

interface Props {
  expiresAt: string;
  unit: CountdownUnit;
  value: number;
}

/** An hourglass and the time left before a disappearing message goes ("disappears in 2 min"). */
export function ExpiryBadge({ expiresAt, unit, value }: Props) {
  const { t, i18n } = useTranslation();
  const time = t(`chat.countdown.${unit}`, { value });
  return (
    <span
      className="message-expiry"
      data-testid="message-expiry"
      title={t('chat.expiresOn', { time: formatFullTime(expiresAt, i18n.language) })}
    >
      <Hourglass />
      {t('chat.expiresIn', { time })}
    </span>
  );
}

/** The mark of disappearing messages; decorative (the text next to it says what it means). */
export function Hourglass() {
  return (
    <svg className="hourglass" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path
        d="M3.5 1.5h9M3.5 14.5h9M5 1.5c0 3.5 3 4.5 3 6.5s-3 3-3 6.5M11 1.5c0 3.5-3 4.5-3 6.5s3 3 3 6.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
      />
      <path d="M6 14c.4-1.6 1.2-2.6 2-2.6s1.6 1 2 2.6z" fill="currentColor" />
    </svg>
  );
}
