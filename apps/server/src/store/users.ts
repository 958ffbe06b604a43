import type { User } from '@salon/protocol';
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
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
