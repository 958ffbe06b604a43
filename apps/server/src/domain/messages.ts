import type { HistoryQuery, Message } from '@salon/protocol';
import { findMembership } from '../store/governance.js';
import { findByClientMsgId, insertMessage, listMessages, takeNextSeq, toMessage } from '../store/messages.js';
import type { Actor, DomainContext } from './context.js';
import { forbidden, invalid, isUniqueViolation, notFound } from './errors.js';
import { can } from './permissions.js';
import { accessRoomFor } from './rooms.js';

export interface PostMessageInput {
  roomId: string;
  body?: string | undefined;
  ciphertext?: string | undefined;
  clientMsgId?: string | undefined;
  ttlSeconds?: number | undefined;
}

export interface PostedMessage {
  message: Message;
  /** True when this was a resend of an already stored clientMsgId: nothing new was stored or sent. */
  duplicate: boolean;
}

/** Thrown inside the transaction to roll the seq back when the clientMsgId was already stored. */
class AlreadyStored {
  constructor(readonly message: Message) {}
}

/** Checks a message's payload against the room: plaintext rooms take `body`, encrypted rooms `ciphertext`. */
export function checkMessagePayload(encrypted: boolean, input: PostMessageInput): void {
  if (encrypted && input.body !== undefined) throw invalid('this room is end-to-end encrypted: send ciphertext');
  if (!encrypted && input.ciphertext !== undefined) throw invalid('this room is not encrypted: send body');
}

/**
 * How long a new message lives: its own timer, else the room's retention. A timer longer than the room's
 * retention is refused rather than silently shortened, so the sender knows what will happen.
 */
export function checkLifetime(retentionSeconds: number | null, ttlSeconds: number | undefined): number | null {
  if (ttlSeconds !== undefined && retentionSeconds !== null && ttlSeconds > retentionSeconds) {
    throw invalid(`ttlSeconds may not exceed the room's retention of ${retentionSeconds} seconds`);
  }
  return ttlSeconds ?? retentionSeconds;
}

/**
 * Stores a message with the room's next seq, in one transaction, then announces it. The membership check
 * runs inside the transaction so a member removed concurrently cannot slip a message in after the removal.
 */
export async function doPostMessage(ctx: DomainContext, actor: Actor, input: PostMessageInput): Promise<PostedMessage> {
  // Per user and room: one member's flood never slows anyone else down in the same room.
  await ctx.limits.consume('sendUserRoom', `${actor.user.id}:${input.roomId}`);
  const { room } = await accessRoomFor(ctx, actor, input.roomId, 'message.send');
  checkMessagePayload(room.encrypted, input);
  const now = ctx.now();
  const lifetime = checkLifetime(room.retentionSeconds, input.ttlSeconds);
  const expiresAt = lifetime ? new Date(now.getTime() + lifetime * 1000) : null;
  let message: Message;
  try {
    message = await ctx.db.transaction(async (tx) => {
      const seq = await takeNextSeq(tx, room.id);
      if (seq === undefined) throw notFound();
      const membership = await findMembership(tx, room.id, actor.user.id);
      if (!membership || !can(membership.role, 'message.send')) {
        throw forbidden('you are no longer a member of this room');
      }
      if (membership.mutedUntil && membership.mutedUntil > now) {
        throw forbidden(`you are muted in this room until ${membership.mutedUntil.toISOString()}`);
      }
      if (input.clientMsgId) {
        const prior = await findByClientMsgId(tx, room.id, actor.user.id, input.clientMsgId);
        if (prior) throw new AlreadyStored(toMessage(prior, actor.user));
      }
      const row = await insertMessage(tx, {
        roomId: room.id,
        seq,
        senderId: actor.user.id,
        body: input.body ?? null,
        ciphertext: input.ciphertext ?? null,
        clientMsgId: input.clientMsgId ?? null,
        createdAt: now,
        expiresAt,
      });
      return toMessage(row, actor.user);
    });
  } catch (err) {
    if (err instanceof AlreadyStored) return { message: err.message, duplicate: true };
    // Two resends racing on two processes: the loser hits the unique index and answers with the winner's seq.
    if (isUniqueViolation(err) && input.clientMsgId) {
      const prior = await findByClientMsgId(ctx.db, room.id, actor.user.id, input.clientMsgId);
      if (prior) return { message: toMessage(prior, actor.user), duplicate: true };
    }
    throw err;
  }
  ctx.notify.messagePosted(message);
  return { message, duplicate: false };
}

/** A page of a room's history, for members. */
export async function fetchHistory(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  query: HistoryQuery,
): Promise<Message[]> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'room.read');
  return listMessages(ctx.db, room.id, query, ctx.now());
}
