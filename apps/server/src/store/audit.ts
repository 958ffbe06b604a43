import { createHash } from 'node:crypto';
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from './db.js';
import { auditLog } from './schema.js';

export type AuditRow = typeof auditLog.$inferSelect;
export const GENESIS_HASH = '0'.repeat(64);
export const PLATFORM_SCOPE = 'platform';

/** The hash that chains an entry to its predecessor: covers every stored field but the hash itself. */
export function auditHash(row: Omit<AuditRow, 'hash'>): string {
  const content = JSON.stringify([
    row.scope,
    row.position,
    row.actorId,
    row.action,
    row.targetId,
    row.details,
    row.createdAt.toISOString(),
  ]);
  return createHash('sha256').update(`${row.prevHash}\n${content}`).digest('hex');
}

/** Appends to the scope's chain; the transaction-scoped advisory lock orders concurrent appends. */
export async function appendAuditRow(
  tx: Tx,
  entry: {
    scope: string;
    actorId: string | null;
    action: string;
    targetId: string | null;
    details: string;
    createdAt: Date;
  },
): Promise<AuditRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit:${entry.scope}`}))`);
  const [last] = await tx
    .select({ position: auditLog.position, hash: auditLog.hash })
    .from(auditLog)
    .where(eq(auditLog.scope, entry.scope))
    .orderBy(desc(auditLog.position))
    .limit(1);
  const unhashed = { ...entry, position: (last?.position ?? 0) + 1, prevHash: last?.hash ?? GENESIS_HASH };
  const [row] = await tx
    .insert(auditLog)
    .values({ ...unhashed, hash: auditHash(unhashed) })
    .returning();
  return row!;
}

export async function listAuditRows(db: Db, scope: string): Promise<AuditRow[]> {
  return db.select().from(auditLog).where(eq(auditLog.scope, scope)).orderBy(asc(auditLog.position));
}
