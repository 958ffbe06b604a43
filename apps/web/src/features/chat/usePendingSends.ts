import type { Message, User } from '@salon/protocol';
import { useCallback, useState } from 'react';
import { useRealtime } from '../../realtime/RealtimeContext';
import { randomId } from '../../realtime/randomId';

export interface PendingMessage {
  clientMsgId: string;
  body: string;
  error?: unknown;
}

/**
 * Messages the user sent that the server has not acknowledged yet. The realtime client keeps re-sending them
 * across reconnections; here they are only displayed, then handed over as real messages once acked.
 */
export function usePendingSends(roomId: string, me: User, onAcked: (message: Message) => void) {
  const client = useRealtime();
  const [pending, setPending] = useState<PendingMessage[]>([]);

  const send = useCallback(
    (body: string) => {
      const clientMsgId = randomId();
      setPending((list) => [...list, { clientMsgId, body }]);
      client.send(roomId, body, clientMsgId).then(
        ({ seq, createdAt }) => {
          setPending((list) => list.filter((p) => p.clientMsgId !== clientMsgId));
          onAcked({ roomId, seq, createdAt, sender: me, body });
        },
        (error: unknown) =>
          setPending((list) => list.map((p) => (p.clientMsgId === clientMsgId ? { ...p, error } : p))),
      );
    },
    [client, roomId, me, onAcked],
  );

  const dismiss = useCallback(
    (clientMsgId: string) => setPending((list) => list.filter((p) => p.clientMsgId !== clientMsgId)),
    [],
  );

  return { pending, send, dismiss };
}
