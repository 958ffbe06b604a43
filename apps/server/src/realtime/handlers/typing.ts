import type { TypingFrame } from '@salon/protocol';
import { forbidden } from '../../domain/errors.js';
import type { HandlerContext } from './context.js';

/** Relays a typing notice to the room's other subscribers; only a subscribed member may send one. */
export async function handleTyping({ domain, conn }: HandlerContext, frame: TypingFrame): Promise<void> {
  // The subscription was authorized when made and ends when membership does: no database read per keystroke.
  if (!conn.subs.has(frame.roomId)) throw forbidden('subscribe to the room first');
  domain.notify.typing(frame.roomId, conn.actor.user);
}
