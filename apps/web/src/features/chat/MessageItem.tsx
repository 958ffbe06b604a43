import type { Message } from '@salon/protocol';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFullTime, formatTime } from './formatTime';

/** One message, as plain text: line breaks are kept by CSS and nothing in the body is interpreted. */
export const MessageItem = memo(function MessageItem({ message, own }: { message: Message; own: boolean }) {
  const { i18n } = useTranslation();
  return (
    <li className={`message${own ? ' own' : ''}`} data-testid="message" data-seq={message.seq}>
      <div className="message-meta">
        <span className="message-sender" title={`@${message.sender.username}`}>
          {message.sender.displayName}
        </span>
        <time dateTime={message.createdAt} title={formatFullTime(message.createdAt, i18n.language)}>
          {formatTime(message.createdAt, i18n.language)}
        </time>
      </div>
      <div className="message-body" data-testid="message-body">
        {message.body ?? ''}
      </div>
    </li>
  );
});
