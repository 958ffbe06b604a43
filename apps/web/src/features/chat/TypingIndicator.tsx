import type { User } from '@salon/protocol';
import { useTranslation } from 'react-i18next';

export function TypingIndicator({ users }: { users: User[] }) {
  const { t } = useTranslation();
  const [first, second] = users;
  let text = '';
  if (users.length > 2) text = t('chat.typingMany');
  else if (first && second) text = t('chat.typingTwo', { first: first.displayName, second: second.displayName });
  else if (first) text = t('chat.typingOne', { name: first.displayName });
  return (
    <div className="typing" data-testid="typing-indicator" aria-live="polite">
      {text}
    </div>
  );
}
