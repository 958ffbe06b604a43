import type { Invitation, JoinRequest, Role } from '@salon/protocol';
import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from './db.js';
import { invitations, inviteLinks, joinRequests, roomBans, roomMembers, rooms, users } from './schema.js';
import { toUser } from './users.js';

type Q = Db | Tx;

export async function findMembership(db: Q, roomId: string, userId: string) {
  const [row] = await db
    .select({ role: roomMembers.role, mutedUntil: roomMembers.mutedUntil })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
    .limit(1);
  return row;
}

export async function updateMember(
  db: Q,
  roomId: string,
  userId: string,
  values: { role?: Role; mutedUntil?: Date | null },
) {
  await db
    .update(roomMembers)
    .set(values)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
}

export async function isBanned(db: Q, roomId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: roomBans.userId })
    .from(roomBans)
    .where(and(eq(roomBans.roomId, roomId), eq(roomBans.userId, userId)))
    .limit(1);
  return row !== undefined;
}

export async function insertBan(db: Q, values: typeof roomBans.$inferInsert): Promise<void> {
  await db
    .insert(roomBans)
    .values(values)
    .onConflictDoUpdate({
      target: [roomBans.roomId, roomBans.userId],
      set: { reason: values.reason ?? '', bannedBy: values.bannedBy },
    });
}

export async function deleteBan(db: Q, roomId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(roomBans)
    .where(and(eq(roomBans.roomId, roomId), eq(roomBans.userId, userId)))
    .returning({ userId: roomBans.userId });
  return rows.length > 0;
}

export async function listBans(db: Q, roomId: string) {
  const rows = await db
    .select({ user: users, reason: roomBans.reason, createdAt: roomBans.createdAt })
    .from(roomBans)
    .innerJoin(users, eq(users.id, roomBans.userId))
    .where(eq(roomBans.roomId, roomId))
    .orderBy(asc(roomBans.createdAt));
  return rows.map((r) => ({ user: toUser(r.user), reason: r.reason, createdAt: r.createdAt.toISOString() }));
}

/** Creates the pending invitation, or returns the existing one for this user and room. */
export async function upsertInvitation(db: Q, values: { roomId: string; inviteeId: string; inviterId: string }) {
  const [row] = await db
    .insert(invitations)
    .values(values)
    .onConflictDoUpdate({ target: [invitations.roomId, invitations.inviteeId], set: { inviterId: values.inviterId } })
    .returning();
  return row!;
}

export async function findInvitation(db: Q, id: string) {
  const [row] = await db.select().from(invitations).where(eq(invitations.id, id)).limit(1);
  return row;
}

export async function deleteInvitation(db: Q, id: string): Promise<boolean> {
  return (await db.delete(invitations).where(eq(invitations.id, id)).returning({ id: invitations.id })).length > 0;
}

export async function deleteInvitationsFor(db: Q, roomId: string, userId: string): Promise<void> {
  await db.delete(invitations).where(and(eq(invitations.roomId, roomId), eq(invitations.inviteeId, userId)));
}

export async function hasInvitation(db: Q, roomId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.roomId, roomId), eq(invitations.inviteeId, userId)))
    .limit(1);
  return row !== undefined;
}

const inviters = alias(users, 'inviters');

/** Pending invitations addressed to the user (or one of them by id), newest first. */
export async function listInvitationsFor(db: Q, inviteeId: string, invitationId?: string): Promise<Invitation[]> {
  const where = invitationId
    ? and(eq(invitations.inviteeId, inviteeId), eq(invitations.id, invitationId))
    : eq(invitations.inviteeId, inviteeId);
  const rows = await db
    .select({ invitation: invitations, room: { id: rooms.id, name: rooms.name }, inviter: inviters })
    .from(invitations)
    .innerJoin(rooms, eq(rooms.id, invitations.roomId))
    .innerJoin(inviters, eq(inviters.id, invitations.inviterId))
    .where(where)
    .orderBy(sql`${invitations.createdAt} desc`);
  return rows.map((r) => ({
    id: r.invitation.id,
    room: r.room,
    inviter: toUser(r.inviter),
    createdAt: r.invitation.createdAt.toISOString(),
  }));
}

export async function insertLink(db: Q, values: typeof inviteLinks.$inferInsert) {
  const [row] = await db.insert(inviteLinks).values(values).returning();
  return row!;
}

/** The link row, locked until the transaction ends so concurrent redemptions count uses exactly. */
export async function findLinkForUpdate(tx: Tx, tokenHash: string) {
  const [row] = await tx.select().from(inviteLinks).where(eq(inviteLinks.tokenHash, tokenHash)).for('update').limit(1);
  return row;
}

export async function findLink(db: Q, tokenHash: string) {
  const [row] = await db.select().from(inviteLinks).where(eq(inviteLinks.tokenHash, tokenHash)).limit(1);
  return row;
}

export async function updateLink(db: Q, tokenHash: string, values: { uses?: number; revokedAt?: Date }) {
  await db.update(inviteLinks).set(values).where(eq(inviteLinks.tokenHash, tokenHash));
}

export async function upsertJoinRequest(db: Q, roomId: string, userId: string): Promise<void> {
  await db.insert(joinRequests).values({ roomId, userId }).onConflictDoNothing();
}

export async function listJoinRequests(db: Q, roomId: string): Promise<JoinRequest[]> {
  const rows = await db
    .select({ request: joinRequests, user: users })
    .from(joinRequests)
    .innerJoin(users, eq(users.id, joinRequests.userId))
    .where(eq(joinRequests.roomId, roomId))
    .orderBy(asc(joinRequests.createdAt));
  return rows.map((r) => ({ id: r.request.id, user: toUser(r.user), createdAt: r.request.createdAt.toISOString() }));
}

/** Deletes the request and returns whose it was. */
export async function takeJoinRequest(db: Q, roomId: string, requestId: string): Promise<string | undefined> {
  const [row] = await db
    .delete(joinRequests)
    .where(and(eq(joinRequests.roomId, roomId), eq(joinRequests.id, requestId)))
    .returning({ userId: joinRequests.userId });
  return row?.userId;
}

export async function findRoomByName(db: Q, name: string) {
  const [row] = await db.select().from(rooms).where(sql`lower(${rooms.name}) = lower(${name})`).limit(1);
  return row;
}
