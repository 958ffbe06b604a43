import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db, Tx } from './db.js';
import { recoveryCodes, userTotp } from './schema.js';

export type TotpRow = typeof userTotp.$inferSelect;

export async function findTotp(db: Db | Tx, userId: string): Promise<TotpRow | undefined> {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId)).limit(1);
  return row;
}

/**
 * Starts (or restarts) an enrolment with a new secret; an enabled second factor is left alone (undefined is
 * returned), so a stolen session cannot silently swap the secret of an account that has one.
 */
export async function upsertPendingTotp(db: Db, userId: string, secret: string, now: Date) {
  const [row] = await db
    .insert(userTotp)
    .values({ userId, secret, createdAt: now })
    .onConflictDoUpdate({
      target: userTotp.userId,
      set: { secret, createdAt: now, lastStep: null },
      setWhere: isNull(userTotp.confirmedAt),
    })
    .returning();
  return row;
}

/** Enables a pending enrolment with the secret the caller verified against; false if it changed meanwhile. */
export async function confirmTotp(tx: Tx, userId: string, secret: string, step: number, now: Date): Promise<boolean> {
  const rows = await tx
    .update(userTotp)
    .set({ confirmedAt: now, lastStep: step })
    .where(and(eq(userTotp.userId, userId), eq(userTotp.secret, secret), isNull(userTotp.confirmedAt)))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

/**
 * Records `step` as the last accepted time step, only if it is newer than the stored one: of two logins racing
 * with the same code, exactly one wins.
 */
export async function advanceTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(userTotp)
    .set({ lastStep: step })
    .where(and(eq(userTotp.userId, userId), or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step))))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

/** Removes the second factor and its recovery codes. */
export async function deleteTotp(tx: Tx, userId: string): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.delete(userTotp).where(eq(userTotp.userId, userId));
}

/** Replaces every recovery code of the user with these hashes. */
export async function replaceRecoveryCodes(tx: Tx, userId: string, hashes: string[], now: Date): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: now })));
}

/** Marks an unused recovery code as used; false if there is none with this hash (or it was used already). */
export async function useRecoveryCode(db: Db, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return rows.length > 0;
}
