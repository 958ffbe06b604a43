import type { HistoryQuery, Message, User } from '@salon/protocol';
import {
  findByClientMsgId,
  insertMessage,
  listMessages,
  type MessageRow,
  takeNextSeqAsMember,
  toMessage,
} from '../store/messages.js';
import type { Actor, DomainContext } from './context.js';
import { applicationEpoch, bindFranking, checkEpoch } from './e2ee.js';
import { forbidden, invalid, isId, isUniqueViolation } from './errors.js';
import { can } from './permissions.js';
import { accessRoomFor } from './rooms.js';
import type { SealingKey } from './sealing.js';

export interface PostMessageInput {
  roomId: string;
  body?: string | undefined;
  ciphertext?: string | undefined;
  /** Encrypted rooms: the franking commitment sent beside the ciphertext. */
  franking?: string | undefined;
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

/** A stored message as clients see it, its sealed body opened. */
async function openedMessage(ctx: DomainContext, row: MessageRow, sender: User): Promise<Message> {
  const [opened] = await ctx.sealer.openAll([row]);
  return toMessage(opened!, sender);
}

/** Thrown inside the transaction when the sender may not post here: the slow path finds the right refusal. */
class NotAllowed {}

/**
 * Stores a message with the room's next seq, in one transaction, then announces it. The hot path is two
 * statements under the room row's lock: take the seq (which also reads the room and the sender's membership),
 * then insert (a resend's clientMsgId conflicts and is answered with the first seq). The membership is read under
 * the lock, so a member removed concurrently cannot slip a message in after the removal; a sender who may not
 * post gets the same refusal as any other request (`accessRoomFor`: not_found for a hidden room).
 */
export async function doPostMessage(ctx: DomainContext, actor: Actor, input: PostMessageInput): Promise<PostedMessage> {
  // Per user and room: one member's flood never slows anyone else down in the same room. Bots have their own budget.
  const limit = actor.tier === 'bot' ? 'sendUserRoomBot' : 'sendUserRoom';
  await ctx.limits.consume(limit, `${actor.user.id}:${input.roomId}`);
  if (!isId(input.roomId)) await accessRoomFor(ctx, actor, input.roomId, 'message.send');
  // Encrypted rooms: the ciphertext's own header says which epoch it was made in; checked under the lock below.
  const epoch = input.ciphertext !== undefined ? applicationEpoch(input.roomId, input.ciphertext) : null;
  const now = ctx.now();
  let stored: { message: Message; sealing: SealingKey | null };
  try {
    stored = await ctx.db.transaction(async (tx) => {
      const room = await takeNextSeqAsMember(tx, input.roomId, actor.user.id);
      if (room === undefined || !can(room.role, 'message.send')) throw new NotAllowed();
      const { seq } = room;
      if (room.mutedUntil && room.mutedUntil > now) {
        throw forbidden(`you are muted in this room until ${room.mutedUntil.toISOString()}`);
      }
      checkMessagePayload(room.encrypted, input);
      const lifetime = checkLifetime(room.retentionSeconds, input.ttlSeconds);
      const expiresAt = lifetime ? new Date(now.getTime() + lifetime * 1000) : null;
      if (epoch !== null) checkEpoch(room, epoch);
      // A new data key is created in this transaction: it exists exactly when the body it sealed does.
      const sealing = input.body !== undefined ? await ctx.sealer.keyFor(room.id, expiresAt, now, tx) : null;
      const row = await insertMessage(tx, {
        roomId: room.id,
        seq,
        senderId: actor.user.id,
        body: null,
        sealedBody: sealing ? sealing.seal(room.id, seq, input.body!) : null,
        bodyKeyId: sealing?.id ?? null,
        ciphertext: input.ciphertext ?? null,
        epoch,
        ...(input.franking !== undefined
          ? {
              frankingTag: input.franking,
              frankingBinding: bindFranking(
                ctx,
                { roomId: room.id, seq, senderId: actor.user.id, now },
                input.franking,
              ),
            }
          : {}),
        clientMsgId: input.clientMsgId ?? null,
        createdAt: now,
        expiresAt,
      });
      if (row === undefined) {
        // The clientMsgId is already stored: roll the seq back and answer with the first one.
        const prior = await findByClientMsgId(tx, room.id, actor.user.id, input.clientMsgId!);
        throw new AlreadyStored(await openedMessage(ctx, prior!, actor.user));
      }
      return { message: toMessage({ ...row, body: input.body ?? null }, actor.user), sealing };
    });
  } catch (err) {
    if (err instanceof AlreadyStored) return { message: err.message, duplicate: true };
    if (err instanceof NotAllowed) {
      await accessRoomFor(ctx, actor, input.roomId, 'message.send');
      throw forbidden('you are no longer a member of this room');
    }
    // Two resends racing on two processes: the loser waits on the unique index, then finds the winner's row.
    if (isUniqueViolation(err) && input.clientMsgId) {
      const prior = await findByClientMsgId(ctx.db, input.roomId, actor.user.id, input.clientMsgId);
      if (prior) return { message: await openedMessage(ctx, prior, actor.user), duplicate: true };
    }
    throw err;
  }
  stored.sealing?.remember();
  ctx.notify.messagePosted(stored.message);
  return { message: stored.message, duplicate: false };
}

/** A page of a room's history, for members. */
export async function fetchHistory(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  query: HistoryQuery,
): Promise<Message[]> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'room.read');
  return listMessages(ctx.db, ctx.sealer, room.id, query, ctx.now());
}
