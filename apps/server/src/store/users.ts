import type { User } from '@salon/protocol';
import { eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from './db.js';
import { users } from './schema.js';

export type UserRow = typeof users.$inferSelect;

export function toUser(row: Pick<UserRow, 'id' | 'username' | 'displayName'>): User {
  return { id: row.id, username: row.username, displayName: row.displayName };
}

export async function insertUser(
  db: Db,
  values: { username: string; displayName: string; passwordHash: string },
): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning();
  return row!;
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return row;
}

export async function findUsersByIds(db: Db, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(users).where(inArray(users.id, ids));
}

export async function setPlatformAdmin(db: Db | Tx, userId: string, admin: boolean): Promise<void> {
  await db.update(users).set({ isPlatformAdmin: admin }).where(eq(users.id, userId));
}

export async function findUserById(db: Db | Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function setLimitTier(db: Db | Tx, userId: string, tier: UserRow['limitTier']): Promise<void> {
  await db.update(users).set({ limitTier: tier }).where(eq(users.id, userId));
}
