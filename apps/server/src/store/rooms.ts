import type { Member, Role, Room } from '@salon/protocol';
import { and, asc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import { Coalescer, LOOKUP_LINGER_MS } from './coalesce.js';
import type { Db, Tx } from './db.js';
import { deleteRoomKeys } from './keys.js';
import { roomMembers, rooms, users } from './schema.js';
import { toUser } from './users.js';

export type RoomRow = typeof rooms.$inferSelect;

export function toRoom(row: RoomRow, role: Role | null): Room {
  return {
    id: row.id,
    name: row.name,
    visibility: row.visibility,
    topic: row.topic,
    encrypted: row.encrypted,
    ...(row.suite !== null ? { suite: row.suite } : {}),
    createdAt: row.createdAt.toISOString(),
    lastSeq: row.lastSeq,
    ...(row.retentionSeconds ? { retentionSeconds: row.retentionSeconds } : {}),
    ...(role ? { role } : {}),
    joined: role !== null,
  };
}

/** Creates the room and makes its creator the owner, atomically. */
export async function insertRoomWithOwner(
  db: Db,
  values: {
    name: string;
    visibility: 'public' | 'private';
    topic: string;
    createdBy: string;
    encrypted: boolean;
    suite: number | null;
  },
  onCreated?: (tx: Tx, room: RoomRow) => Promise<void>,
): Promise<RoomRow> {
  return db.transaction(async (tx) => {
    const [room] = await tx.insert(rooms).values(values).returning();
    await tx.insert(roomMembers).values({ roomId: room!.id, userId: values.createdBy, role: 'owner' });
    await onCreated?.(tx, room!);
    return room!;
  });
}

export async function findRoom(db: Db, roomId: string): Promise<RoomRow | undefined> {
  const [row] = await db.select().from(rooms).where(eq(rooms.id, roomId)).limit(1);
  return row;
}

/** The room and the user's role in it (null when not a member), in one query. */
export async function findRoomWithRole(
  db: Db,
  roomId: string,
  userId: string,
): Promise<{ room: RoomRow; role: Role | null } | undefined> {
  const [row] = await db
    .select({ room: rooms, role: roomMembers.role })
    .from(rooms)
    .leftJoin(roomMembers, and(eq(roomMembers.roomId, rooms.id), eq(roomMembers.userId, userId)))
    .where(eq(rooms.id, roomId))
    .limit(1);
  return row ? { room: row.room, role: row.role ?? null } : undefined;
}

type RoomWithRole = { room: RoomRow; role: Role | null };
const roomAccessLoaders = new WeakMap<Db, Coalescer<{ roomId: string; userId: string }, RoomWithRole>>();
const accessKey = (k: { roomId: string; userId: string }) => `${k.roomId}|${k.userId}`;

/**
 * `findRoomWithRole`, coalesced (see `Coalescer`): a storm of subscriptions costs a few queries, not one each.
 */
export function findRoomWithRoleCoalesced(db: Db, roomId: string, userId: string): Promise<RoomWithRole | undefined> {
  let loader = roomAccessLoaders.get(db);
  if (!loader) {
    loader = new Coalescer(
      async (keys) => {
        const roomIds = [...new Set(keys.map((k) => k.roomId))];
        // The rooms once each, and only the memberships asked for: joining every member of every room to every
        // user of the batch would return rooms x users rows, most of them wide and unused.
        const pairs = sql.join(
          keys.map((k) => sql`(${k.roomId}::uuid, ${k.userId}::uuid)`),
          sql`, `,
        );
        const [found, roles] = await Promise.all([
          db.select().from(rooms).where(inArray(rooms.id, roomIds)),
          db
            .select({ roomId: roomMembers.roomId, userId: roomMembers.userId, role: roomMembers.role })
            .from(roomMembers)
            .where(sql`(${roomMembers.roomId}, ${roomMembers.userId}) in (${pairs})`),
        ]);
        const byRoom = new Map(found.map((room) => [room.id, room]));
        const roleOf = new Map(roles.map((r) => [`${r.roomId}|${r.userId}`, r.role]));
        const result = new Map<string, RoomWithRole>();
        for (const k of keys) {
          const room = byRoom.get(k.roomId);
          if (room) result.set(accessKey(k), { room, role: roleOf.get(accessKey(k)) ?? null });
        }
        return result;
      },
      accessKey,
      { lingerMs: LOOKUP_LINGER_MS },
    );
    roomAccessLoaders.set(db, loader);
  }
  return loader.get({ roomId, userId });
}

export async function findRole(db: Db | Tx, roomId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: roomMembers.role })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

/** The user's rooms and every public room, by name. */
export async function listVisibleRooms(db: Db, userId: string): Promise<Array<{ room: RoomRow; role: Role | null }>> {
  const rows = await db
    .select({ room: rooms, role: roomMembers.role })
    .from(rooms)
    .leftJoin(roomMembers, and(eq(roomMembers.roomId, rooms.id), eq(roomMembers.userId, userId)))
    .where(or(eq(rooms.visibility, 'public'), isNotNull(roomMembers.userId)))
    .orderBy(asc(sql`lower(${rooms.name})`));
  return rows.map((r) => ({ room: r.room, role: r.role ?? null }));
}

/** Adds the member unless already there; returns whether a row was added. */
export async function insertMember(db: Db | Tx, roomId: string, userId: string, role: Role): Promise<boolean> {
  const added = await db
    .insert(roomMembers)
    .values({ roomId, userId, role })
    .onConflictDoNothing()
    .returning({ userId: roomMembers.userId });
  return added.length > 0;
}

/**
 * Removes a member; returns whether there was one. In an encrypted room the group must then drop the member's
 * devices: messages are refused until a commit advances the epoch (see `commitRequired`).
 */
export async function deleteMember(db: Db | Tx, roomId: string, userId: string, encrypted: boolean): Promise<boolean> {
  const removed = await db
    .delete(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
    .returning({ userId: roomMembers.userId });
  if (removed.length > 0 && encrypted) await markCommitRequired(db, [roomId]);
  return removed.length > 0;
}

/** Encrypted rooms whose group still holds devices that must go: messages wait for the removing commit. */
export async function markCommitRequired(db: Db | Tx, roomIds: string[]): Promise<void> {
  if (roomIds.length === 0) return;
  await db
    .update(rooms)
    .set({ commitRequired: true })
    .where(and(inArray(rooms.id, roomIds), eq(rooms.encrypted, true), isNotNull(rooms.mlsEpoch)));
}

export async function listMembers(db: Db, roomId: string): Promise<Member[]> {
  const rows = await db
    .select({ user: users, role: roomMembers.role, joinedAt: roomMembers.joinedAt, mutedUntil: roomMembers.mutedUntil })
    .from(roomMembers)
    .innerJoin(users, eq(users.id, roomMembers.userId))
    .where(eq(roomMembers.roomId, roomId))
    .orderBy(asc(roomMembers.joinedAt), asc(users.username));
  const now = Date.now();
  return rows.map((r) => ({
    user: toUser(r.user),
    role: r.role,
    joinedAt: r.joinedAt.toISOString(),
    ...(r.mutedUntil && r.mutedUntil.getTime() > now ? { mutedUntil: r.mutedUntil.toISOString() } : {}),
  }));
}

export async function updateRoom(
  db: Db | Tx,
  roomId: string,
  values: Partial<Pick<RoomRow, 'name' | 'topic' | 'visibility' | 'retentionSeconds'>>,
): Promise<RoomRow | undefined> {
  const [row] = await db.update(rooms).set(values).where(eq(rooms.id, roomId)).returning();
  return row;
}

/** Deletes the room with everything in it, the keys of its sealed bodies included (no foreign key reaches them). */
export async function deleteRoom(db: Db | Tx, roomId: string): Promise<void> {
  await db.delete(rooms).where(eq(rooms.id, roomId));
  await deleteRoomKeys(db, roomId);
}

/** Every room's metadata (never message content), for platform administrators. */
export async function listAllRooms(db: Db): Promise<Array<RoomRow & { memberCount: number }>> {
  const rows = await db
    .select({
      room: rooms,
      memberCount: sql<number>`(select count(*) from room_members m where m.room_id = ${rooms.id})::int`,
    })
    .from(rooms)
    .orderBy(asc(sql`lower(${rooms.name})`));
  return rows.map((r) => ({ ...r.room, memberCount: r.memberCount }));
}
