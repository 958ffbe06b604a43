import type { UnsubscribeFrame } from '@salon/protocol';
import type { HandlerContext } from './context.js';

export async function handleUnsubscribe({ conn }: HandlerContext, frame: UnsubscribeFrame): Promise<void> {
  const sub = conn.subs.get(frame.roomId);
  if (sub) sub.feed.detach(sub);
  conn.send({ type: 'ack', id: frame.id });
}
