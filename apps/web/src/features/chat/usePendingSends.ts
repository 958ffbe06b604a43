import type { Message, User } from '@salon/protocol';
import { useCallback, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';
import { randomId } from '../../realtime/randomId';
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
 * `retentionSeconds` is the room's: an acked message without a timer of its own disappears after it.
 */
export function usePendingSends(
  roomId: string,
  me: User,
  retentionSeconds: number | undefined,
  onAcked: (message: Message) => void,
) {
  const client = useRealtime();
  const [pending, setPending] = useState<PendingMessage[]>([]);

  const send = useCallback(
    (body: string, ttlSeconds?: number) => {
      const clientMsgId = randomId();
      const expiresAt = expiresAtFrom(Date.now(), ttlSeconds);
      setPending((list) => [
        ...list,
        { clientMsgId, body, ...(ttlSeconds === undefined ? {} : { ttlSeconds, expiresAt }) },
      ]);
      client.send(roomId, body, clientMsgId, ttlSeconds).then(
        ({ seq, createdAt }) => {
          setPending((list) => list.filter((p) => p.clientMsgId !== clientMsgId));
          // The ack carries no expiresAt; the server computes it from createdAt as done here.
          const ends = expiresAtFrom(createdAt, ttlSeconds ?? retentionSeconds);
          onAcked({ roomId, seq, createdAt, sender: me, body, ...(ends === undefined ? {} : { expiresAt: ends }) });
        },
        (error: unknown) =>
          setPending((list) => list.map((p) => (p.clientMsgId === clientMsgId ? { ...p, error } : p))),
      );
    },
    [client, roomId, me, retentionSeconds, onAcked],
  );

  const dismiss = useCallback(
    (clientMsgId: string) => setPending((list) => list.filter((p) => p.clientMsgId !== clientMsgId)),
    [],
  );

  /** Forgets the sends whose timer ran out (called by the expiry scheduler). */
  const dropExpired = useCallback((now: number) => setPending((list) => withoutExpired(list, now)), []);

  return { pending, send, dismiss, dropExpired };
}
