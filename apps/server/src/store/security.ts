import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { securityAlerts, securityEvents, sessions, users } from './schema.js';

export type SecurityEventRow = typeof securityEvents.$inferSelect;
export type SecurityAlertRow = typeof securityAlerts.$inferSelect;

export async function insertSecurityEvent(db: Db, values: typeof securityEvents.$inferInsert): Promise<void> {
  await db.insert(securityEvents).values(values);
}

/** How many events of a kind match the subject since `since` (and how many distinct `details.username`). */
export async function countEvents(
  db: Db,
  kind: string,
  subject: { userId?: string | null; ip?: string | null; roomId?: string | null },
  since: Date,
): Promise<{ total: number; usernames: number }> {
  const where = [eq(securityEvents.kind, kind), gt(securityEvents.createdAt, since)];
  if (subject.userId) where.push(eq(securityEvents.userId, subject.userId));
  if (subject.ip) where.push(eq(securityEvents.ip, subject.ip));
  if (subject.roomId) where.push(eq(securityEvents.roomId, subject.roomId));
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      usernames: sql<number>`count(distinct (${securityEvents.details}::json ->> 'username'))::int`,
    })
    .from(securityEvents)
    .where(and(...where));
  return row ?? { total: 0, usernames: 0 };
}

export async function recentAlertExists(db: Db, rule: string, subject: string, since: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: securityAlerts.id })
    .from(securityAlerts)
    .where(and(eq(securityAlerts.rule, rule), eq(securityAlerts.subject, subject), gt(securityAlerts.createdAt, since)))
    .limit(1);
  return row !== undefined;
}

export async function insertAlert(db: Db, values: typeof securityAlerts.$inferInsert): Promise<SecurityAlertRow> {
  const [row] = await db.insert(securityAlerts).values(values).returning();
  return row!;
}

export async function listAlerts(db: Db, opts: { roomId?: string; limit: number }): Promise<SecurityAlertRow[]> {
  const query = db.select().from(securityAlerts);
  const filtered = opts.roomId ? query.where(eq(securityAlerts.roomId, opts.roomId)) : query;
  return filtered.orderBy(desc(securityAlerts.createdAt)).limit(opts.limit);
}

export async function acknowledgeAlert(db: Db, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(securityAlerts)
    .set({ acknowledgedAt: now })
    .where(and(eq(securityAlerts.id, id), isNull(securityAlerts.acknowledgedAt)))
    .returning({ id: securityAlerts.id });
  return rows.length > 0;
}

export async function listPlatformAdminIds(db: Db): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.isPlatformAdmin, true));
  return rows.map((r) => r.id);
}

/** Deletes every session of a user and returns their ids (so their sockets can be closed everywhere). */
export async function deleteUserSessions(db: Db, userId: string): Promise<string[]> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return rows.map((r) => r.id);
}
