import { and, eq, gt } from 'drizzle-orm';
import type { Db } from './db.js';
import { sessions, users } from './schema.js';
import type { UserRow } from './users.js';

export async function insertSession(
  db: Db,
  values: { tokenHash: string; userId: string; expiresAt: Date },
): Promise<{ id: string }> {
  const [row] = await db.insert(sessions).values(values).returning({ id: sessions.id });
  return row!;
}

/** The live session with this token hash and its user, if any. */
export async function findLiveSession(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<{ sessionId: string; expiresAt: Date; user: UserRow } | undefined> {
  const [row] = await db
    .select({ sessionId: sessions.id, expiresAt: sessions.expiresAt, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .limit(1);
  return row;
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}
