import { and, desc, eq, gt, inArray, lt } from 'drizzle-orm';
import { Coalescer, LOOKUP_LINGER_MS } from './coalesce.js';
import type { Db } from './db.js';
import { sessions, users, userTotp } from './schema.js';
import type { UserRow } from './users.js';

export async function insertSession(
  db: Db,
  values: {
    tokenHash: string;
    userId: string;
    expiresAt: Date;
    ip?: string | null;
    userAgent?: string | null;
    createdAt?: Date;
  },
): Promise<{ id: string }> {
  const [row] = await db.insert(sessions).values(values).returning({ id: sessions.id });
  return row!;
}

type LiveSession = {
  sessionId: string;
  expiresAt: Date;
  lastSeenAt: Date;
  /** What a socket or request needs of its user (not the password hash nor the rest of the row). */
  user: Pick<UserRow, 'id' | 'username' | 'displayName' | 'limitTier'>;
  totpConfirmedAt: Date | null;
};
const sessionLoaders = new WeakMap<Db, Coalescer<string, LiveSession>>();

/**
 * The session with this token hash and its user, if any and not expired. Lookups are coalesced (see
 * `Coalescer`), so a storm of reconnecting sockets authenticates in a few round trips.
 */
export async function findLiveSession(db: Db, tokenHash: string, now: Date): Promise<LiveSession | undefined> {
  let loader = sessionLoaders.get(db);
  if (!loader) {
    loader = new Coalescer(
      async (hashes) => {
        const rows = await db
          .select({
            tokenHash: sessions.tokenHash,
            sessionId: sessions.id,
            expiresAt: sessions.expiresAt,
            lastSeenAt: sessions.lastSeenAt,
            user: {
              id: users.id,
              username: users.username,
              displayName: users.displayName,
              limitTier: users.limitTier,
            },
            totpConfirmedAt: userTotp.confirmedAt,
          })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .leftJoin(userTotp, eq(userTotp.userId, sessions.userId))
          .where(inArray(sessions.tokenHash, hashes));
        return new Map(rows.map(({ tokenHash, ...row }) => [tokenHash, row]));
      },
      (hash) => hash,
      { lingerMs: LOOKUP_LINGER_MS },
    );
    sessionLoaders.set(db, loader);
  }
  const found = await loader.get(tokenHash);
  return found && found.expiresAt > now ? found : undefined;
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function listUserSessions(db: Db, userId: string, now: Date) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt));
}

/** Deletes one of the user's sessions; false when it is not theirs or already gone. */
export async function deleteUserSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Marks the session as used now; coarse (once a minute) so it costs nothing on busy sessions. */
export async function touchSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, sessionId), lt(sessions.lastSeenAt, new Date(now.getTime() - 60_000))));
}
