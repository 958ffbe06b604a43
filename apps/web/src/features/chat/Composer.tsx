import { MAX_MESSAGE_CHARS } from '@salon/protocol';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration, timersWithin, usableTimer } from '../governance/durations';
import { Hourglass } from './ExpiryBadge';

interface Props {
  /** `ttlSeconds`: the message's own timer, if one is chosen. */
  onSend: (body: string, ttlSeconds: number | undefined) => void;
  onTyping: () => void;
  /** The room's retention, when it has one: no timer may be longer, and the composer says so. */
  retentionSeconds: number | undefined;
}

export function Composer({ onSend, onTyping, retentionSeconds }: Props) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  // The chosen timer stays for the next messages, as a conversation setting would.
  const [timer, setTimer] = useState<number | undefined>(undefined);
  // A timer longer than a retention set meanwhile falls back to none (the room's retention then applies).
  const ttlSeconds = usableTimer(timer, retentionSeconds);

  const submit = () => {
    if (text.trim() === '') return;
    onSend(text, ttlSeconds);
    setText('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter while an input method is composing (e.g. Japanese) confirms the composition; it must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <div className="composer-row">
        <textarea
          data-testid="composer"
          aria-label={t('chat.composerLabel')}
          placeholder={t('chat.composerPlaceholder')}
          value={text}
          maxLength={MAX_MESSAGE_CHARS}
          rows={Math.min(8, text.split('\n').length)}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value) onTyping();
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" data-testid="send-button" disabled={text.trim() === ''}>
          {t('chat.send')}
        </button>
      </div>
      <div className="composer-options">
        <label className="composer-timer" title={t('chat.timer')}>
          <Hourglass />
          <span className="sr-only">{t('chat.timer')}</span>
          <select
            data-testid="composer-ttl"
            value={ttlSeconds === undefined ? '' : String(ttlSeconds)}
            onChange={(e) => setTimer(e.target.value === '' ? undefined : Number(e.target.value))}
          >
            <option value="">{retentionSeconds === undefined ? t('chat.timerOff') : t('chat.timerRoom')}</option>
            {timersWithin(retentionSeconds).map((option) => (
              <option key={option.key} value={String(option.seconds)}>
                {t(`durations.${option.key}`)}
              </option>
            ))}
          </select>
        </label>
        {retentionSeconds !== undefined && (
          <span className="retention-note" data-testid="room-retention-note">
            {t('chat.retentionNote', { duration: formatDuration(retentionSeconds, i18n.language) })}
          </span>
        )}
      </div>
    </form>
  );
}
