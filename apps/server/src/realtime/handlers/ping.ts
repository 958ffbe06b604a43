import type { PingFrame } from '@salon/protocol';
import type { HandlerContext } from './context.js';

export async function handlePing({ conn }: HandlerContext, frame: PingFrame): Promise<void> {
  conn.send({ type: 'pong', id: frame.id });
}
