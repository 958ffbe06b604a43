import type { SendFrame } from '@salon/protocol';
import { doPostMessage } from '../../domain/messages.js';
import type { HandlerContext } from './context.js';

/** Stores the message and acks with its seq only after the commit. */
export async function handleSend({ domain, conn }: HandlerContext, frame: SendFrame): Promise<void> {
  const { message, duplicate } = await doPostMessage(domain, conn.actor, frame);
  conn.send({
    type: 'ack',
    id: frame.id,
    seq: message.seq,
    createdAt: message.createdAt,
    ...(duplicate ? { duplicate: true } : {}),
  });
}
