import type { SubscribeFrame } from '@salon/protocol';
import { accessRoomFor } from '../../domain/rooms.js';
import { Subscription } from '../feed.js';
import type { HandlerContext } from './context.js';

/**
 * Subscribes the socket to a room: ack, then every stored message after `since` in order, then live ones.
 * Without `since` only live messages follow. Subscribing again replaces the previous subscription.
 */
export async function handleSubscribe(
  { domain, registry, conn }: HandlerContext,
  frame: SubscribeFrame,
): Promise<void> {
  const { room } = await accessRoomFor(domain, conn.actor, frame.roomId, 'room.read');
  const feed = await registry.feed(room.id);
  if (conn.closed) return;
  const previous = conn.subs.get(room.id);
  if (previous) feed.detach(previous);
  // A `since` beyond the head cannot be right (seqs only grow): clamp it so no future message is skipped.
  const head = feed.head!;
  const since = Math.min(frame.since ?? head, head);
  const sub = new Subscription(conn, feed, since);
  feed.subs.add(sub);
  conn.subs.set(room.id, sub);
  conn.send({ type: 'ack', id: frame.id, roomId: room.id, lastSeq: head });
  await feed.catchUp(sub);
}
