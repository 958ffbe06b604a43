import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Db, Tx } from './db.js';
import { roomKeys } from './schema.js';

type Q = Db | Tx;
export type RoomKeyRow = typeof roomKeys.$inferSelect;

/**
 * The key of a room's period, created if missing. Concurrent creators (several processes) race on the unique
 * index: the loser's insert does nothing and it reads the winner's row, so every process seals with one key.
 */
export async function findOrCreateRoomKey(
  db: Q,
  values: { roomId: string; period: number; wrappedKey: string; masterKeyId: string; destroyAfter: Date | null },
): Promise<RoomKeyRow> {
  const [created] = await db.insert(roomKeys).values(values).onConflictDoNothing().returning();
  if (created) return created;
  const [existing] = await db
    .select()
    .from(roomKeys)
    .where(and(eq(roomKeys.roomId, values.roomId), eq(roomKeys.period, values.period)))
    .limit(1);
  return existing!;
}

export async function findRoomKeys(db: Q, ids: string[]): Promise<RoomKeyRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(roomKeys).where(inArray(roomKeys.id, ids));
}

/** Destroys the keys whose every message has expired; returns how many. */
export async function destroyExpiredKeys(db: Q, now: Date): Promise<number> {
  const gone = await db.delete(roomKeys).where(lte(roomKeys.destroyAfter, now)).returning({ id: roomKeys.id });
  return gone.length;
}

export async function deleteRoomKeys(db: Q, roomId: string): Promise<void> {
  await db.delete(roomKeys).where(eq(roomKeys.roomId, roomId));
}

export async function listAllRoomKeys(db: Q): Promise<RoomKeyRow[]> {
  return db.select().from(roomKeys);
}

export async function rewrapRoomKey(db: Q, id: string, wrappedKey: string, masterKeyId: string): Promise<void> {
  await db.update(roomKeys).set({ wrappedKey, masterKeyId }).where(eq(roomKeys.id, id));
}
