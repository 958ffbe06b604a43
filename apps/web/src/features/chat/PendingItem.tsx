import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errorText';
import { MessageBody } from './MessageBody';
import type { PendingMessage } from './usePendingSends';

interface Props {
  message: PendingMessage;
  senderName: string;
  onDismiss: (clientMsgId: string) => void;
}

/** A message of ours that is still on its way, or that the server refused. */
export function PendingItem({ message, senderName, onDismiss }: Props) {
  const { t } = useTranslation();
  const failed = message.error !== undefined;
  return (
    <li className={`message own ${failed ? 'failed' : 'pending'}`} data-testid="pending-message">
      <div className="message-meta">
        <span className="message-sender">{senderName}</span>
        {failed ? (
          <span className="message-status" role="alert">
            {t('chat.failed', { error: errorText(t, message.error) })}
            <button type="button" className="link" onClick={() => onDismiss(message.clientMsgId)}>
              {t('chat.dismiss')}
            </button>
          </span>
        ) : (
          <span className="message-status">{t('chat.pending')}</span>
        )}
      </div>
      <MessageBody id={`pending-${message.clientMsgId}`} body={message.body} />
    </li>
  );
}
