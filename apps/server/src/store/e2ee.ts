import { createHash } from 'node:crypto';
import type { Device, Welcome } from '@salon/protocol';
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf, type Tx } from './db.js';
import { devices, keyPackages, messageReports, messages, roomGroups, roomMembers, rooms, welcomes } from './schema.js';

type Q = Db | Tx;
export type DeviceRow = typeof devices.$inferSelect;

/** SHA-256 of the signature key, hex in groups of four: what people read aloud and compare. */
export function fingerprintOf(signatureKey: string): string {
  const hex = createHash('sha256').update(Buffer.from(signatureKey, 'base64')).digest('hex');
  return hex.match(/.{4}/g)!.join(' ');
}

export function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    signatureKey: row.signatureKey,
    fingerprint: fingerprintOf(row.signatureKey),
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
  };
}

/** Inserts the device unless its id exists; returns the stored row (which may belong to someone else). */
export async function insertDevice(
  db: Q,
  values: { id: string; userId: string; name: string; signatureKey: string },
): Promise<{ row: DeviceRow; created: boolean }> {
  const [inserted] = await db.insert(devices).values(values).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, created: true };
  const [existing] = await db.select().from(devices).where(eq(devices.id, values.id)).limit(1);
  return { row: existing!, created: false };
}

export async function findDevice(db: Q, deviceId: string): Promise<DeviceRow | undefined> {
  const [row] = await db.select().from(devices).where(eq(devices.id, deviceId)).limit(1);
  return row;
}

export async function listDevices(db: Q, userId: string): Promise<DeviceRow[]> {
  return db.select().from(devices).where(eq(devices.userId, userId)).orderBy(asc(devices.createdAt));
}

export async function deleteDevice(db: Q, deviceId: string): Promise<boolean> {
  const removed = await db.delete(devices).where(eq(devices.id, deviceId)).returning({ id: devices.id });
  return removed.length > 0;
}

/** Ids of the encrypted rooms a user belongs to (where their devices are, or should be, group members). */
export async function encryptedRoomsOf(db: Q, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: rooms.id })
    .from(rooms)
    .innerJoin(roomMembers, and(eq(roomMembers.roomId, rooms.id), eq(roomMembers.userId, userId)))
    .where(eq(rooms.encrypted, true));
  return rows.map((r) => r.id);
}

export async function insertKeyPackages(
  db: Q,
  deviceId: string,
  suite: number,
  packages: string[],
  lastResort: string | undefined,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (lastResort !== undefined) {
      // One last-resort package per device and suite: a new one replaces the old.
      await tx
        .delete(keyPackages)
        .where(and(eq(keyPackages.deviceId, deviceId), eq(keyPackages.suite, suite), eq(keyPackages.lastResort, true)));
      await tx.insert(keyPackages).values({ deviceId, suite, keyPackage: lastResort, lastResort: true });
    }
    if (packages.length > 0) {
      await tx.insert(keyPackages).values(packages.map((keyPackage) => ({ deviceId, suite, keyPackage })));
    }
  });
}

/** Single-use packages a device has left for a suite. */
export async function countKeyPackages(db: Q, deviceId: string, suite: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(keyPackages)
    .where(and(eq(keyPackages.deviceId, deviceId), eq(keyPackages.suite, suite), eq(keyPackages.lastResort, false)));
  return Number(row?.n ?? 0);
}

/**
 * Takes one single-use package of the device (deleted in the same statement; SKIP LOCKED so concurrent claims
 * never get the same one), or else its last-resort package, which stays.
 */
export async function claimKeyPackage(db: Q, deviceId: string, suite: number): Promise<string | undefined> {
  const result = await db.execute(sql`
    delete from key_packages where id = (
      select id from key_packages
      where device_id = ${deviceId} and suite = ${suite} and not last_resort
      order by created_at
      limit 1
      for update skip locked
    )
    returning key_package`);
  const rows = rowsOf<{
    key_package: string;
  }>(result);
  if (rows[0]) return rows[0].key_package;
  const [last] = await db
    .select({ keyPackage: keyPackages.keyPackage })
    .from(keyPackages)
    .where(and(eq(keyPackages.deviceId, deviceId), eq(keyPackages.suite, suite), eq(keyPackages.lastResort, true)))
    .limit(1);
  return last?.keyPackage;
}

export async function findGroup(db: Q, roomId: string) {
  const [row] = await db.select().from(roomGroups).where(eq(roomGroups.roomId, roomId)).limit(1);
  return row;
}

/** Creates the group at epoch 0 unless it exists; returns whether this call created it. */
export async function createGroup(tx: Tx, roomId: string, groupInfo: string, now: Date): Promise<boolean> {
  const started = await tx
    .update(rooms)
    .set({ mlsEpoch: 0 })
    .where(and(eq(rooms.id, roomId), sql`${rooms.mlsEpoch} is null`))
    .returning({ id: rooms.id });
  if (started.length === 0) return false;
  await tx.insert(roomGroups).values({ roomId, epoch: 0, groupInfo, updatedAt: now });
  return true;
}

/**
 * The compare-and-set at the heart of the delivery service: takes the room's next seq and moves it to the next
 * epoch only if it is still at `epoch`. The row lock held until commit orders it against every other commit
 * and message of the room. Undefined means the room moved on (or is gone).
 */
export async function advanceEpoch(tx: Tx, roomId: string, epoch: number): Promise<number | undefined> {
  const [row] = await tx
    .update(rooms)
    .set({ lastSeq: sql`${rooms.lastSeq} + 1`, mlsEpoch: sql`${rooms.mlsEpoch} + 1`, commitRequired: false })
    .where(and(eq(rooms.id, roomId), eq(rooms.mlsEpoch, epoch)))
    .returning({ seq: rooms.lastSeq });
  return row?.seq;
}

export async function saveGroupInfo(tx: Tx, roomId: string, epoch: number, groupInfo: string, now: Date) {
  await tx.update(roomGroups).set({ epoch, groupInfo, updatedAt: now }).where(eq(roomGroups.roomId, roomId));
}

export async function insertWelcomes(
  tx: Tx,
  roomId: string,
  seq: number,
  welcome: string,
  deviceIds: string[],
): Promise<void> {
  await tx.insert(welcomes).values(deviceIds.map((deviceId) => ({ roomId, deviceId, seq, welcome })));
}

export async function listWelcomes(db: Q, deviceId: string, roomId?: string): Promise<Welcome[]> {
  const where = roomId
    ? and(eq(welcomes.deviceId, deviceId), eq(welcomes.roomId, roomId))
    : eq(welcomes.deviceId, deviceId);
  const rows = await db.select().from(welcomes).where(where).orderBy(asc(welcomes.seq));
  return rows.map((r) => ({
    id: r.id,
    roomId: r.roomId,
    seq: r.seq,
    welcome: r.welcome,
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function deleteWelcome(db: Q, deviceId: string, welcomeId: string): Promise<boolean> {
  const removed = await db
    .delete(welcomes)
    .where(and(eq(welcomes.id, welcomeId), eq(welcomes.deviceId, deviceId)))
    .returning({ id: welcomes.id });
  return removed.length > 0;
}

export async function findMessageForReport(db: Q, roomId: string, seq: number) {
  const [row] = await db
    .select({
      senderId: messages.senderId,
      kind: messages.kind,
      createdAt: messages.createdAt,
      frankingTag: messages.frankingTag,
      frankingBinding: messages.frankingBinding,
      deletedAt: messages.deletedAt,
    })
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.seq, seq)))
    .limit(1);
  return row;
}

export async function insertReport(db: Q, values: typeof messageReports.$inferInsert) {
  const [row] = await db.insert(messageReports).values(values).returning();
  return row!;
}

export async function listReports(db: Q, roomId: string) {
  return db
    .select()
    .from(messageReports)
    .where(eq(messageReports.roomId, roomId))
    .orderBy(desc(messageReports.createdAt))
    .limit(200);
}
