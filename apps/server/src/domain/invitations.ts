import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Invitation, InviteLink, JoinRequest, Room } from '@salon/protocol';
import {
  deleteInvitation,
  deleteInvitationsFor,
  findInvitation,
  findLink,
  findLinkForUpdate,
  findRoomByName,
  insertLink,
  isBanned,
  listInvitationsFor,
  listJoinRequests,
  takeJoinRequest,
  updateLink,
  upsertInvitation,
  upsertJoinRequest,
} from '../store/governance.js';
import { findRole, findRoom, insertMember, listMembers, toRoom } from '../store/rooms.js';
import { findUserByUsername, findUsersByIds, toUser } from '../store/users.js';
import { hashToken } from './accounts.js';
import { recordAudit } from './audit.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, forbidden, isId, notFound } from './errors.js';
import { can } from './permissions.js';
import { accessRoomFor } from './rooms.js';

/** Invites a user by username; the invitee sees it at once on every open socket. */
export async function doInvite(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  username: string,
): Promise<Invitation> {
  await ctx.limits.consume('invite', actor.user.id);
  const { room } = await accessRoomFor(ctx, actor, roomId, 'invitation.create');
  const invitee = await findUserByUsername(ctx.db, username);
  if (!invitee) throw notFound('user');
  if (await findRole(ctx.db, room.id, invitee.id)) throw new AppError('conflict', 'already a member');
  if (await isBanned(ctx.db, room.id, invitee.id)) throw forbidden('this user is banned from the room; unban first');
  const now = ctx.now();
  const row = await ctx.db.transaction(async (tx) => {
    const inserted = await upsertInvitation(tx, { roomId: room.id, inviteeId: invitee.id, inviterId: actor.user.id });
    await recordAudit(tx, now, {
      roomId: room.id,
      actorId: actor.user.id,
      action: 'invitation.created',
      targetId: invitee.id,
    });
    return inserted;
  });
  const invitation: Invitation = {
    id: row.id,
    room: { id: room.id, name: room.name },
    inviter: actor.user,
    createdAt: row.createdAt.toISOString(),
  };
  ctx.notify.userEvent(invitee.id, 'invitation.received', { roomId: room.id, invitation });
  ctx.security({ kind: 'invitation.created', userId: actor.user.id, ip: actor.ip ?? null, roomId: room.id });
  return invitation;
}

/** Pending invitations addressed to the actor. */
export function listMyInvitations(ctx: DomainContext, actor: Actor): Promise<Invitation[]> {
  return listInvitationsFor(ctx.db, actor.user.id);
}

/** The actor's own pending invitation; anyone else's is not found. */
async function accessInvitation(ctx: DomainContext, actor: Actor, invitationId: string) {
  if (!isId(invitationId)) throw notFound('invitation');
  const invitation = await findInvitation(ctx.db, invitationId);
  if (!invitation || invitation.inviteeId !== actor.user.id) throw notFound('invitation');
  return invitation;
}

/** Adds the actor to the room as a member, with its audit entry and event, unless banned. */
async function admit(ctx: DomainContext, actor: Actor, roomId: string, via: string, details: Record<string, unknown>) {
  const room = await findRoom(ctx.db, roomId);
  if (!room) throw notFound();
  if (await isBanned(ctx.db, roomId, actor.user.id)) throw forbidden('you are banned from this room');
  const now = ctx.now();
  const added = await ctx.db.transaction(async (tx) => {
    const inserted = await insertMember(tx, roomId, actor.user.id, 'member');
    await deleteInvitationsFor(tx, roomId, actor.user.id);
    if (inserted) await recordAudit(tx, now, { roomId, actorId: actor.user.id, action: via, details });
    return inserted;
  });
  if (added) ctx.notify.roomEvent(roomId, 'member.joined', { user: actor.user, role: 'member' });
  return toRoom(room, (await findRole(ctx.db, roomId, actor.user.id)) ?? 'member');
}

export async function doAcceptInvitation(ctx: DomainContext, actor: Actor, invitationId: string): Promise<Room> {
  const invitation = await accessInvitation(ctx, actor, invitationId);
  return admit(ctx, actor, invitation.roomId, 'invitation.accepted', { inviterId: invitation.inviterId });
}

export async function doDeclineInvitation(ctx: DomainContext, actor: Actor, invitationId: string): Promise<void> {
  const invitation = await accessInvitation(ctx, actor, invitationId);
  await ctx.db.transaction(async (tx) => {
    await deleteInvitation(tx, invitation.id);
    await recordAudit(tx, ctx.now(), {
      roomId: invitation.roomId,
      actorId: actor.user.id,
      action: 'invitation.declined',
    });
  });
}

/** Invite link tokens: 192 random bits, so guessing one is hopeless; only their hash is stored. */
export async function doCreateLink(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  body: { expiresInSeconds: number; maxUses: number },
): Promise<InviteLink> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'link.create');
  const token = randomBytes(24).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + body.expiresInSeconds * 1000);
  await ctx.db.transaction(async (tx) => {
    await insertLink(tx, {
      tokenHash: hashToken(token),
      roomId: room.id,
      createdBy: actor.user.id,
      expiresAt,
      maxUses: body.maxUses,
    });
    await recordAudit(tx, now, {
      roomId: room.id,
      actorId: actor.user.id,
      action: 'link.created',
      details: { expiresAt: expiresAt.toISOString(), maxUses: body.maxUses },
    });
  });
  return { token, expiresAt: expiresAt.toISOString(), maxUses: body.maxUses, uses: 0 };
}

/** Hash lookup, then a constant-time comparison of the stored hash (no early exit on a partial match). */
function sameHash(stored: string, candidate: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(candidate);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function doRevokeLink(ctx: DomainContext, actor: Actor, roomId: string, token: string): Promise<void> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'invitation.revoke');
  const tokenHash = hashToken(token);
  const link = await findLink(ctx.db, tokenHash);
  if (!link || link.roomId !== room.id || !sameHash(link.tokenHash, tokenHash)) throw notFound('link');
  await ctx.db.transaction(async (tx) => {
    await updateLink(tx, tokenHash, { revokedAt: ctx.now() });
    await recordAudit(tx, ctx.now(), { roomId: room.id, actorId: actor.user.id, action: 'link.revoked' });
  });
}

/** Redeems a link: distinct refusals for revoked, expired and used-up links; uses are counted under a row lock. */
export async function doRedeemLink(ctx: DomainContext, actor: Actor, token: string): Promise<Room> {
  await ctx.limits.consume('linkRedeem', actor.user.id);
  const tokenHash = hashToken(token.slice(0, 256));
  const now = ctx.now();
  const roomId = await ctx.db.transaction(async (tx) => {
    const link = await findLinkForUpdate(tx, tokenHash);
    if (!link || !sameHash(link.tokenHash, tokenHash)) throw notFound('link');
    if (link.revokedAt) throw new AppError('link_revoked', 'this invite link was revoked');
    if (link.expiresAt <= now) throw new AppError('link_expired', 'this invite link has expired');
    if (await findRole(tx, link.roomId, actor.user.id)) return link.roomId;
    if (link.uses >= link.maxUses) throw new AppError('link_exhausted', 'this invite link has been used up');
    if (await isBanned(tx, link.roomId, actor.user.id)) throw forbidden('you are banned from this room');
    await updateLink(tx, tokenHash, { uses: link.uses + 1 });
    return link.roomId;
  });
  return admit(ctx, actor, roomId, 'link.redeemed', {});
}

/**
 * Asks to join a room by name. The answer is the same whether or not the room exists, is private, or the
 * user is banned: a private room's existence must not leak through this door.
 */
export async function doRequestJoin(ctx: DomainContext, actor: Actor, roomName: string): Promise<void> {
  const room = await findRoomByName(ctx.db, roomName);
  if (!room || (await findRole(ctx.db, room.id, actor.user.id)) || (await isBanned(ctx.db, room.id, actor.user.id)))
    return;
  await upsertJoinRequest(ctx.db, room.id, actor.user.id);
  // Only those who can answer hear of it: who asked to join is not every member's business.
  for (const member of await listMembers(ctx.db, room.id)) {
    if (can(member.role, 'invitation.create')) {
      ctx.notify.userEvent(member.user.id, 'join_request.created', { roomId: room.id, user: actor.user });
    }
  }
}

export async function listRoomJoinRequests(ctx: DomainContext, actor: Actor, roomId: string): Promise<JoinRequest[]> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'invitation.create');
  return listJoinRequests(ctx.db, room.id);
}

/** Approves (the requester becomes a member) or rejects a join request. */
export async function doDecideJoinRequest(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  requestId: string,
  approve: boolean,
): Promise<void> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'invitation.create');
  if (!isId(requestId)) throw notFound('join request');
  const now = ctx.now();
  const userId = await ctx.db.transaction(async (tx) => {
    const requester = await takeJoinRequest(tx, room.id, requestId);
    if (!requester) throw notFound('join request');
    if (approve && (await isBanned(tx, room.id, requester))) throw forbidden('this user is banned from the room');
    if (approve) await insertMember(tx, room.id, requester, 'member');
    await recordAudit(tx, now, {
      roomId: room.id,
      actorId: actor.user.id,
      action: approve ? 'join_request.approved' : 'join_request.rejected',
      targetId: requester,
    });
    return requester;
  });
  if (approve) {
    const [user] = await findUsersByIds(ctx.db, [userId]);
    if (user) ctx.notify.roomEvent(room.id, 'member.joined', { user: toUser(user), role: 'member' });
  }
}
