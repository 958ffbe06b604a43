import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmButton } from '../../ui/ConfirmButton';
import type { TimelineMessage } from '../e2ee/decodeMessages';
import { EncryptedBody } from '../e2ee/EncryptedBody';
import { ExpiryBadge } from './ExpiryBadge';
import type { CountdownUnit } from './expiry';
import { formatFullTime, formatTime } from './formatTime';
import { MessageBody } from './MessageBody';

interface Props {
  message: TimelineMessage;
  own: boolean;
  /** Whether the reader may delete it (their own, or moderator and above); never offered for a tombstone. */
  canDelete: boolean;
  onDelete: (seq: number) => void;
  /** Encrypted rooms: report someone else's verified message to the moderators (absent elsewhere). */
  onReport?: ((seq: number) => void) | undefined;
  /** This message was reported from here. */
  reported?: boolean;
  /**
   * For a disappearing message, the countdown to show: two plain values, so that the item re-renders only when
   * its text changes, not at every tick of the list's clock.
   */
  expiryUnit?: CountdownUnit;
  expiryValue?: number;
}

/** One message: its sender and time, its actions, and its body as Markdown with math (see MessageBody). */
export const MessageItem = memo(function MessageItem({
  message,
  own,
  canDelete,
  onDelete,
  onReport,
  reported,
  expiryUnit,
  expiryValue,
}: Props) {
  const { t, i18n } = useTranslation();
  const deleted = message.deletedAt !== undefined;
  return (
    <li
      className={`message${own ? ' own' : ''}${deleted ? ' deleted' : ''}`}
      data-testid="message"
      data-seq={message.seq}
      data-deleted={deleted ? 'true' : undefined}
      data-expires-at={message.expiresAt}
      data-e2ee={message.e2ee}
    >
      <div className="message-meta">
        <span className="message-sender" title={`@${message.sender.username}`}>
          {message.sender.displayName}
        </span>
        <time dateTime={message.createdAt} title={formatFullTime(message.createdAt, i18n.language)}>
          {formatTime(message.createdAt, i18n.language)}
        </time>
        {!deleted && message.expiresAt && expiryUnit && expiryValue !== undefined && (
          <ExpiryBadge expiresAt={message.expiresAt} unit={expiryUnit} value={expiryValue} />
        )}
        {canDelete && !deleted && (
          <span className="message-actions">
            <ConfirmButton
              testId="message-delete"
              className="link"
              label={t('chat.delete')}
              question={t('chat.deleteQuestion')}
              confirmLabel={t('chat.deleteConfirm')}
              onConfirm={() => onDelete(message.seq)}
            />
          </span>
        )}
        {onReport && !own && !deleted && message.e2ee === 'ok' && (
          <span className="message-actions">
            {reported ? (
              <span className="muted" data-testid="message-reported">
                {t('chat.reported')}
              </span>
            ) : (
              <ConfirmButton
                testId="message-report"
                className="link"
                label={t('chat.report')}
                question={t('chat.reportQuestion')}
                confirmLabel={t('chat.reportConfirm')}
                onConfirm={() => onReport(message.seq)}
              />
            )}
          </span>
        )}
      </div>
      {deleted ? (
        <div className="message-body message-tombstone" data-testid="message-deleted">
          {t('chat.deleted')}
        </div>
      ) : message.e2ee !== undefined ? (
        <EncryptedBody id={`${message.roomId}-${message.seq}`} status={message.e2ee} text={message.body} />
      ) : (
        <MessageBody id={`${message.roomId}-${message.seq}`} body={message.body ?? ''} testId="message-body" />
      )}
    </li>
  );
});
