import { MAX_MESSAGE_CHARS } from '@salon/protocol';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  onSend: (body: string) => void;
  onTyping: () => void;
}

export function Composer({ onSend, onTyping }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState('');

  const submit = () => {
    if (text.trim() === '') return;
    onSend(text);
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
    </form>
  );
}
