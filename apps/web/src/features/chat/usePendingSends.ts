import type { User } from '@salon/protocol';
import { useCallback, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';
import { randomId } from '../../realtime/randomId';
import type { TimelineMessage } from '../e2ee/decodeMessages';
import { useE2ee } from '../e2ee/E2eeProvider';
import { expiresAtFrom, withoutExpired } from './expiry';

export interface PendingMessage {
  clientMsgId: string;
  body: string;
  /** The message's own timer, if it has one. */
  ttlSeconds?: number;
  /**
   * With a timer: when the message would disappear had the server stored it when it was sent. A send still
   * pending (or failed) by then is dropped from the screen, like the message it stands for.
   */
  expiresAt?: string;
  error?: unknown;
}

/**
 * Messages the user sent that the server has not acknowledged yet. The realtime client keeps re-sending them
 * across reconnections; here they are only displayed, then handed over as real messages once acked.
 * `retentionSeconds` is the room's: an acked message without a timer of its own disappears after it. In an
 * encrypted room the text is encrypted by the E2EE worker first (and again if the group moved on meanwhile).
 */
export function usePendingSends(
  roomId: string,
  me: User,
  retentionSeconds: number | undefined,
  onAcked: (message: TimelineMessage) => void,
  encrypted = false,
) {
  const client = useRealtime();
  const e2ee = useE2ee();
  const [pending, setPending] = useState<PendingMessage[]>([]);

  const send = useCallback(
    (body: string, ttlSeconds?: number) => {
      const clientMsgId = randomId();
      const expiresAt = expiresAtFrom(Date.now(), ttlSeconds);
      setPending((list) => [
        ...list,
        { clientMsgId, body, ...(ttlSeconds === undefined ? {} : { ttlSeconds, expiresAt }) },
      ]);
      const sent = encrypted
        ? e2ee.sendEncrypted(roomId, body, (encrypted) => client.send(roomId, encrypted, clientMsgId, ttlSeconds))
        : client.send(roomId, body, clientMsgId, ttlSeconds);
      sent.then(
        ({ seq, createdAt }) => {
          setPending((list) => list.filter((p) => p.clientMsgId !== clientMsgId));
          // The ack carries no expiresAt; the server computes it from createdAt as done here.
          const ends = expiresAtFrom(createdAt, ttlSeconds ?? retentionSeconds);
          onAcked({
            roomId,
            seq,
            createdAt,
            sender: me,
            body,
            ...(encrypted ? { e2ee: 'ok' as const } : {}),
            ...(ends === undefined ? {} : { expiresAt: ends }),
          });
        },
        (error: unknown) =>
          setPending((list) => list.map((p) => (p.clientMsgId === clientMsgId ? { ...p, error } : p))),
      );
    },
    [client, e2ee, encrypted, roomId, me, retentionSeconds, onAcked],
  );

  const dismiss = useCallback(
    (clientMsgId: string) => setPending((list) => list.filter((p) => p.clientMsgId !== clientMsgId)),
    [],
  );

  /** Forgets the sends whose timer ran out (called by the expiry scheduler). */
  const dropExpired = useCallback((now: number) => setPending((list) => withoutExpired(list, now)), []);

  return { pending, send, dismiss, dropExpired };
}
