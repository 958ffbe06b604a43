import type { Member, Role } from '@salon/protocol';
import { deleteBan, deleteInvitationsFor, findMembership, insertBan, updateMember } from '../store/governance.js';
import { tombstoneMessage } from '../store/messages.js';
import { deleteMember, listMembers } from '../store/rooms.js';
import { findUsersByIds, toUser } from '../store/users.js';
import { recordAudit } from './audit.js';
import type { Actor, DomainContext } from './context.js';
import { forbidden, invalid, isId, notFound } from './errors.js';
import { can, ROLE_RANK } from './permissions.js';
import { accessRoom, accessRoomFor, type RoomAccess } from './rooms.js';

/** The target user of a moderation action, with their current membership (if any). */
async function accessTarget(
  ctx: DomainContext,
  access: RoomAccess,
  actor: Actor,
  userId: string,
  mustBeMember: boolean,
) {
  if (!isId(userId)) throw notFound('user');
  const [user] = await findUsersByIds(ctx.db, [userId]);
  if (!user) throw notFound('user');
  if (user.id === actor.user.id) throw forbidden('you cannot do this to yourself');
  const membership = await findMembership(ctx.db, access.room.id, user.id);
  if (mustBeMember && !membership) throw notFound('member');
  // Rank rule: one may act only on members strictly below oneself.
  if (membership && ROLE_RANK[access.role!] <= ROLE_RANK[membership.role]) {
    throw forbidden('you can only act on members below your role');
  }
  return { user: toUser(user), membership };
}

/** Changes a member's role (only to roles below one's own), or transfers ownership when the role is owner. */
export async function doSetRole(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  userId: string,
  role: Role,
): Promise<Member> {
  const transfer = role === 'owner';
  const access = await accessRoomFor(ctx, actor, roomId, transfer ? 'room.transfer' : 'member.set_role');
  const { user, membership } = await accessTarget(ctx, access, actor, userId, true);
  if (!transfer && ROLE_RANK[role] >= ROLE_RANK[access.role!]) throw forbidden('you can only grant roles below yours');
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    await updateMember(tx, access.room.id, user.id, { role });
    if (transfer) await updateMember(tx, access.room.id, actor.user.id, { role: 'admin' });
    await recordAudit(tx, now, {
      roomId: access.room.id,
      actorId: actor.user.id,
      action: transfer ? 'room.transferred' : 'member.role',
      targetId: user.id,
      details: { from: membership!.role, to: role },
    });
  });
  ctx.notify.roomEvent(access.room.id, 'member.role', { user, role });
  if (transfer) ctx.notify.roomEvent(access.room.id, 'member.role', { user: actor.user, role: 'admin' });
  const members = await listMembers(ctx.db, access.room.id);
  return members.find((m) => m.user.id === user.id)!;
}

/** Removes a member now; they may come back by invitation (or by joining, for a public room). */
export function doKick(ctx: DomainContext, actor: Actor, roomId: string, userId: string, reason = ''): Promise<void> {
  return removeFromRoom(ctx, actor, roomId, userId, reason, false);
}

/** Bans a user (member or not): removed, pending invitations dropped, and kept out until unbanned. */
export function doBan(ctx: DomainContext, actor: Actor, roomId: string, userId: string, reason = ''): Promise<void> {
  return removeFromRoom(ctx, actor, roomId, userId, reason, true);
}

/** Kick and ban: the same removal, audit and event; a ban also records itself and drops invitations. */
async function removeFromRoom(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  userId: string,
  reason: string,
  ban: boolean,
): Promise<void> {
  const access = await accessRoomFor(ctx, actor, roomId, ban ? 'member.ban' : 'member.kick');
  const { user } = await accessTarget(ctx, access, actor, userId, !ban);
  const action = ban ? 'member.banned' : 'member.kicked';
  await ctx.db.transaction(async (tx) => {
    await deleteMember(tx, access.room.id, user.id, access.room.encrypted);
    if (ban) {
      await deleteInvitationsFor(tx, access.room.id, user.id);
      await insertBan(tx, { roomId: access.room.id, userId: user.id, reason, bannedBy: actor.user.id });
    }
    await recordAudit(tx, ctx.now(), {
      roomId: access.room.id,
      actorId: actor.user.id,
      action,
      targetId: user.id,
      details: { reason },
    });
  });
  ctx.notify.roomEvent(access.room.id, action, { user, by: actor.user, reason }, user.id);
}

export async function doUnban(ctx: DomainContext, actor: Actor, roomId: string, userId: string): Promise<void> {
  const access = await accessRoomFor(ctx, actor, roomId, 'member.ban');
  if (!isId(userId)) throw notFound('ban');
  await ctx.db.transaction(async (tx) => {
    if (!(await deleteBan(tx, access.room.id, userId))) throw notFound('ban');
    await recordAudit(tx, ctx.now(), {
      roomId: access.room.id,
      actorId: actor.user.id,
      action: 'member.unbanned',
      targetId: userId,
    });
  });
}

/** Mutes a member for `seconds` (0 lifts the mute): they still read, but cannot send until it ends. */
export async function doMute(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  userId: string,
  seconds: number,
): Promise<void> {
  const access = await accessRoomFor(ctx, actor, roomId, 'member.mute');
  const { user } = await accessTarget(ctx, access, actor, userId, true);
  const now = ctx.now();
  const until = seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null;
  await ctx.db.transaction(async (tx) => {
    await updateMember(tx, access.room.id, user.id, { mutedUntil: until });
    await recordAudit(tx, now, {
      roomId: access.room.id,
      actorId: actor.user.id,
      action: until ? 'member.muted' : 'member.unmuted',
      targetId: user.id,
      details: until ? { until: until.toISOString() } : {},
    });
  });
  ctx.notify.roomEvent(access.room.id, until ? 'member.muted' : 'member.unmuted', {
    user,
    until: until?.toISOString() ?? null,
  });
}

/** Deletes a message (one's own, or any with `message.delete_any`): the content leaves the store, the seq stays. */
export async function doDeleteMessage(ctx: DomainContext, actor: Actor, roomId: string, seq: number): Promise<void> {
  const access = await accessRoom(ctx, actor, roomId);
  if (!can(access.role, 'room.read')) throw forbidden('join the room first');
  const now = ctx.now();
  const deleted = await ctx.db.transaction(async (tx) => {
    const found = await tombstoneMessage(tx, access.room.id, seq, now);
    if (!found) throw notFound('message');
    if (found.commit) throw invalid('an encryption commit cannot be deleted');
    if (found.senderId !== actor.user.id && !can(access.role, 'message.delete_any')) {
      throw forbidden('you can only delete your own messages');
    }
    // Deleting again changes nothing: no second audit entry, no second event.
    if (found.alreadyDeleted) return false;
    await recordAudit(tx, now, {
      roomId: access.room.id,
      actorId: actor.user.id,
      action: 'message.deleted',
      targetId: found.senderId,
      details: { seq },
    });
    return true;
  });
  if (deleted) ctx.notify.roomEvent(access.room.id, 'message.deleted', { seq, by: actor.user });
}
