import type { Message } from '@salon/protocol';
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf, type Tx } from './db.js';
import { type Prepared, pgArray, pgText, type RunPrepared } from './prepared.js';
import { messages, roomMembers, rooms, users } from './schema.js';
import { toUser } from './users.js';

export type MessageRow = typeof messages.$inferSelect;
/** Opens sealed bodies in place (see domain/sealing.ts). */
export interface BodyOpener {
  openAll<R extends MessageRow>(rows: R[]): Promise<R[]>;
}
type Sender = { id: string; username: string; displayName: string };

export function toMessage(row: MessageRow, sender: Sender): Message {
  return {
    roomId: row.roomId,
    seq: row.seq,
    sender: toUser(sender),
    ...(row.body !== null ? { body: row.body } : {}),
    ...(row.ciphertext !== null ? { ciphertext: row.ciphertext } : {}),
    ...(row.kind !== null ? { kind: row.kind } : {}),
    ...(row.epoch !== null ? { epoch: row.epoch } : {}),
    ...(row.frankingTag !== null ? { franking: row.frankingTag } : {}),
    createdAt: row.createdAt.toISOString(),
    ...(row.expiresAt ? { expiresAt: row.expiresAt.toISOString() } : {}),
    ...(row.editedAt ? { editedAt: row.editedAt.toISOString() } : {}),
    ...(row.deletedAt ? { deletedAt: row.deletedAt.toISOString() } : {}),
  };
}

/**
 * Takes the room's next seq for a member's message and reads what the send needs to know of the room and of
 * the membership, in one statement. The UPDATE holds the room row's lock until the transaction ends, so seqs are
 * handed out and committed in order, with no gap (a rollback gives the number back) and no collision; reading
 * the membership in the same statement means a member removed concurrently cannot post after the removal.
 * Undefined when there is no such room or the sender is not a member.
 */
export async function takeNextSeqAsMember(tx: Tx, roomId: string, userId: string) {
  const [row] = await tx
    .update(rooms)
    .set({ lastSeq: sql`${rooms.lastSeq} + 1` })
    .from(roomMembers)
    .where(and(eq(rooms.id, roomId), eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
    .returning({
      id: rooms.id,
      seq: rooms.lastSeq,
      encrypted: rooms.encrypted,
      retentionSeconds: rooms.retentionSeconds,
      mlsEpoch: rooms.mlsEpoch,
      commitRequired: rooms.commitRequired,
      role: roomMembers.role,
      mutedUntil: roomMembers.mutedUntil,
    });
  return row;
}

/** What a batch of sends needs to know of each room, read under the room row's lock. */
export interface LockedRoom {
  id: string;
  lastSeq: number;
  encrypted: boolean;
  retentionSeconds: number | null;
  mlsEpoch: number | null;
  commitRequired: boolean;
}

/**
 * Locks the rooms of a batch of sends, in id order (two batches locking overlapping rooms never deadlock), and
 * reads what the sends need. Held until the transaction ends, like `takeNextSeqAsMember`'s UPDATE.
 */
export async function lockRooms(tx: Tx, roomIds: string[]): Promise<Map<string, LockedRoom>> {
  const rows = await tx
    .select({
      id: rooms.id,
      lastSeq: rooms.lastSeq,
      encrypted: rooms.encrypted,
      retentionSeconds: rooms.retentionSeconds,
      mlsEpoch: rooms.mlsEpoch,
      commitRequired: rooms.commitRequired,
    })
    .from(rooms)
    .where(inArray(rooms.id, roomIds))
    .orderBy(asc(rooms.id))
    .for('update');
  return new Map(rows.map((r) => [r.id, r]));
}

/** The memberships of these users in these rooms (read after `lockRooms`: changes to them wait for the lock). */
export async function findMemberships(tx: Tx, roomIds: string[], userIds: string[]) {
  const rows = await tx
    .select({
      roomId: roomMembers.roomId,
      userId: roomMembers.userId,
      role: roomMembers.role,
      mutedUntil: roomMembers.mutedUntil,
    })
    .from(roomMembers)
    .where(and(inArray(roomMembers.roomId, roomIds), inArray(roomMembers.userId, userIds)));
  return new Map(rows.map((r) => [`${r.roomId}|${r.userId}`, r]));
}

/**
 * Stores a batch of messages and moves each room's last seq to the highest one the batch handed out (their seqs
 * were taken under `lockRooms`), in one statement. Returns how many messages were stored: fewer when a
 * clientMsgId was already stored.
 */
export async function insertBatch(
  tx: Tx,
  values: Array<typeof messages.$inferInsert>,
  heads: Array<{ roomId: string; lastSeq: number }>,
): Promise<number> {
  if (values.length === 0) return 0;
  const insert = tx.insert(messages).values(values).onConflictDoNothing().returning({ seq: messages.seq });
  const seqs = sql.join(
    heads.map((h) => sql`(${h.roomId}::uuid, ${h.lastSeq}::bigint)`),
    sql`, `,
  );
  const result = await tx.execute(sql`
    with stored as ${insert}
    update rooms set last_seq = v.seq from (values ${seqs}) as v(id, seq)
    where rooms.id = v.id
    returning (select count(*) from stored) as stored`);
  const rows = rowsOf<{
    stored: string | number;
  }>(result);
  return Number(rows[0]?.stored ?? 0);
}

/** What a predicted send assumes of its room: it must still hold under the room row's lock, or nothing is stored. */
export interface PredictedRoom {
  encrypted: boolean;
  retentionSeconds: number | null;
  mlsEpoch: number | null;
  commitRequired: boolean;
}

/** One room of a predicted batch: its seqs after `after` up to `last`, what is assumed of it, and its senders. */
export interface PredictedHead {
  roomId: string;
  after: number;
  last: number;
  room: PredictedRoom;
  senderIds: string[];
}

/** What a predicted statement did: the rooms it stored, and the last seq of each of the others under its lock. */
export interface PredictedOutcome {
  stored: Set<string>;
  lastSeqs: Map<string, number>;
}

/** The statement of `insertPredicted`: one text for every batch, its rooms and rows given as arrays. */
const INSERT_PREDICTED: Prepared = {
  name: 'salon_insert_predicted',
  text: `
    with heads as (
      select * from unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::boolean[], $5::integer[], $6::bigint[],
        $7::boolean[], $8::text[])
        as h(id, after, last, encrypted, retention_seconds, mls_epoch, commit_required, senders)
    ),
    locked as materialized (
      select rooms.id, rooms.last_seq from rooms where rooms.id = any($1::uuid[]) order by rooms.id
      for no key update
    ),
    taken as (
      update rooms set last_seq = h.last
      from heads h
      where rooms.id = h.id and rooms.id in (select id from locked) and rooms.last_seq = h.after
        and rooms.encrypted = h.encrypted
        and rooms.retention_seconds is not distinct from h.retention_seconds
        and rooms.mls_epoch is not distinct from h.mls_epoch
        and rooms.commit_required = h.commit_required
        and cardinality(h.senders::uuid[]) = (
          select count(*) from room_members m
          where m.room_id = h.id and m.user_id = any(h.senders::uuid[])
            and m.role = any($9::text[])
            and (m.muted_until is null or m.muted_until <= $10::timestamptz)
        )
      returning rooms.id
    ),
    stored as (
      insert into messages (room_id, seq, sender_id, sealed_body, body_key_id, ciphertext, epoch, franking_tag,
        franking_binding, client_msg_id, created_at, expires_at)
      select * from unnest($11::uuid[], $12::bigint[], $13::uuid[], $14::text[], $15::uuid[], $16::text[],
        $17::bigint[], $18::text[], $19::text[], $20::text[], $21::timestamptz[], $22::timestamptz[])
        as v(room_id, seq, sender_id, sealed_body, body_key_id, ciphertext, epoch, franking_tag, franking_binding,
          client_msg_id, created_at, expires_at)
      where v.room_id in (select id from taken)
      returning room_id
    )
    select distinct room_id, null::bigint from stored
    union all
    select id, last_seq from locked where id not in (select id from taken)`,
};

/**
 * Sends as one statement, without a transaction around it. It locks its rooms first, in id order like `lockRooms`:
 * two processes sending to the same rooms (each room's members spread over both) would otherwise lock them in
 * the order of their plans, and deadlock. For each room of `heads`, under the room row's lock:
 * the room's last seq is still `after`, the room is as `room` says, and every sender of the room is a member with
 * one of `roles` who is not muted at `now`; then its seq moves to `last` and its rows (which carry the seqs in
 * between) are inserted. A room that fails a condition takes no seq and stores nothing; the others are stored.
 * Returns the rooms that were stored, and for each of the others its last seq as the lock found it (another
 * process may have taken the seqs this one predicted). A clientMsgId already stored fails the whole statement with
 * a unique violation (nothing stored). The statement is prepared: its text is the same for every batch.
 */
export async function insertPredicted(
  run: RunPrepared,
  rows: Array<typeof messages.$inferInsert>,
  heads: PredictedHead[],
  roles: readonly string[],
  now: Date,
): Promise<PredictedOutcome> {
  const column = <T>(list: T[], pick: (item: T) => Parameters<typeof pgArray>[0][number]) => pgArray(list.map(pick));
  const result = await run(INSERT_PREDICTED, [
    column(heads, (h) => h.roomId),
    column(heads, (h) => h.after),
    column(heads, (h) => h.last),
    column(heads, (h) => h.room.encrypted),
    column(heads, (h) => h.room.retentionSeconds),
    column(heads, (h) => h.room.mlsEpoch),
    column(heads, (h) => h.room.commitRequired),
    column(heads, (h) => pgArray(h.senderIds)),
    pgArray(roles),
    pgText(now),
    column(rows, (r) => r.roomId),
    column(rows, (r) => r.seq),
    column(rows, (r) => r.senderId),
    column(rows, (r) => r.sealedBody),
    column(rows, (r) => r.bodyKeyId),
    column(rows, (r) => r.ciphertext),
    column(rows, (r) => r.epoch),
    column(rows, (r) => r.frankingTag),
    column(rows, (r) => r.frankingBinding),
    column(rows, (r) => r.clientMsgId),
    column(rows, (r) => r.createdAt),
    column(rows, (r) => r.expiresAt),
  ]);
  const outcome: PredictedOutcome = { stored: new Set(), lastSeqs: new Map() };
  for (const [roomId, lastSeq] of result) {
    if (lastSeq === null || lastSeq === undefined) outcome.stored.add(roomId!);
    else outcome.lastSeqs.set(roomId!, Number(lastSeq));
  }
  return outcome;
}

/** Inserts a message; undefined when its clientMsgId is already stored for this sender and room. */
export async function insertMessage(tx: Tx, values: typeof messages.$inferInsert): Promise<MessageRow | undefined> {
  const [row] = await tx.insert(messages).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findByClientMsgId(
  db: Db | Tx,
  roomId: string,
  senderId: string,
  clientMsgId: string,
): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.senderId, senderId), eq(messages.clientMsgId, clientMsgId)))
    .limit(1);
  return row;
}

export interface MessageRange {
  after?: number | undefined;
  before?: number | undefined;
  limit: number;
}

/**
 * Messages of a room in seq order. With `after`, the first `limit` after it; otherwise the last `limit`
 * before `before` (or the newest). Expired messages are never returned, even before they are purged.
 */
export async function listMessages(
  db: Db,
  opener: BodyOpener,
  roomId: string,
  range: MessageRange,
  now: Date,
): Promise<Message[]> {
  const where: SQL[] = [eq(messages.roomId, roomId), or(isNull(messages.expiresAt), gt(messages.expiresAt, now))!];
  if (range.after !== undefined) where.push(gt(messages.seq, range.after));
  if (range.before !== undefined) where.push(lt(messages.seq, range.before));
  const fromStart = range.after !== undefined;
  const rows = await db
    .select({ message: messages, sender: { id: users.id, username: users.username, displayName: users.displayName } })
    .from(messages)
    .innerJoin(users, eq(users.id, messages.senderId))
    .where(and(...where))
    .orderBy(fromStart ? asc(messages.seq) : desc(messages.seq))
    .limit(range.limit);
  if (!fromStart) rows.reverse();
  await opener.openAll(rows.map((r) => r.message));
  return rows.map((r) => toMessage(r.message, r.sender));
}

/**
 * Up to `limit` visible messages of a room after `after`, in seq order, with the room's last seq read in the same
 * statement (one snapshot): every message up to that seq is committed, so when the page is not full the reader
 * has seen every visible message up to it, expired ones being skipped. Undefined when there is no such room.
 */
export async function messagesAfterWithHead(
  db: Db,
  opener: BodyOpener,
  roomId: string,
  after: number,
  limit: number,
  now: Date,
): Promise<{ messages: Message[]; lastSeq: number } | undefined> {
  const rows = await db
    .select({
      lastSeq: rooms.lastSeq,
      message: messages,
      sender: { id: users.id, username: users.username, displayName: users.displayName },
    })
    .from(rooms)
    .leftJoin(
      messages,
      and(
        eq(messages.roomId, rooms.id),
        gt(messages.seq, after),
        or(isNull(messages.expiresAt), gt(messages.expiresAt, now)),
      ),
    )
    .leftJoin(users, eq(users.id, messages.senderId))
    .where(eq(rooms.id, roomId))
    .orderBy(asc(messages.seq))
    .limit(limit);
  if (rows.length === 0) return undefined;
  const found = rows.filter((r) => r.message !== null && r.sender !== null) as Array<{
    message: MessageRow;
    sender: Sender;
  }>;
  await opener.openAll(found.map((r) => r.message));
  return { messages: found.map((r) => toMessage(r.message, r.sender)), lastSeq: rows[0]!.lastSeq };
}

/** Erases a message's content, keeping its seq as a tombstone; returns the sender, or undefined if none. */
export async function tombstoneMessage(
  db: Db | Tx,
  roomId: string,
  seq: number,
  now: Date,
): Promise<{ senderId: string; alreadyDeleted: boolean; commit: boolean } | undefined> {
  const [row] = await db
    .select({ senderId: messages.senderId, deletedAt: messages.deletedAt, kind: messages.kind })
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.seq, seq)))
    .limit(1);
  if (!row) return undefined;
  // An MLS commit is the group's history, not a message: members behind need it to catch up.
  if (row.kind === 'commit') return { senderId: row.senderId, alreadyDeleted: false, commit: true };
  if (!row.deletedAt) {
    await db
      .update(messages)
      .set({ body: null, sealedBody: null, bodyKeyId: null, ciphertext: null, deletedAt: now })
      .where(and(eq(messages.roomId, roomId), eq(messages.seq, seq)));
  }
  return { senderId: row.senderId, alreadyDeleted: row.deletedAt !== null, commit: false };
}

/**
 * Deletes up to `limit` expired messages, oldest expiry first, and returns which. SKIP LOCKED lets several
 * processes purge at once: each row is taken by exactly one of them, and none waits on another.
 */
export async function purgeExpired(db: Db, now: Date, limit: number): Promise<Array<{ roomId: string; seq: number }>> {
  const result = await db.execute(sql`
    delete from messages where (room_id, seq) in (
      select room_id, seq from messages
      where expires_at is not null and expires_at <= ${now.toISOString()}::timestamptz
      order by expires_at
      limit ${limit}
      for update skip locked
    )
    returning room_id, seq`);
  const rows = rowsOf<{
    room_id: string;
    seq: string | number;
  }>(result);
  return rows.map((r) => ({ roomId: r.room_id, seq: Number(r.seq) }));
}
