import { useTranslation } from 'react-i18next';
import { MessageBody } from '../chat/MessageBody';
import type { DecodeStatus } from './protocol';

interface Props {
  id: string;
  status: DecodeStatus;
  /** The decrypted text: only with `ok` and `gap`. */
  text: string | undefined;
}

/**
 * The body of a message of an encrypted room. Only a message that decrypted and verified shows its text (as
 * Markdown with math, like any other); one that failed a check shows that it could not be verified and never
 * any text (SPEC E2E-6), one from before this device joined says so.
 */
export function EncryptedBody({ id, status, text }: Props) {
  const { t } = useTranslation();
  if ((status === 'ok' || status === 'gap') && text !== undefined) {
    return (
      <>
        {status === 'gap' && (
          <div className="message-e2ee-warning" data-testid="message-gap" role="note">
            {t('e2ee.gap')}
          </div>
        )}
        <MessageBody id={id} body={text} testId="message-body" />
      </>
    );
  }
  const [testId, key] =
    status === 'unverified'
      ? ['message-unverified', 'e2ee.unverified']
      : status === 'before_join'
        ? ['message-before-join', 'e2ee.beforeJoin']
        : ['message-undecryptable', 'e2ee.undecryptable'];
  return (
    <div className={`message-body message-e2ee-${status}`} data-testid={testId}>
      {t(key)}
    </div>
  );
}
