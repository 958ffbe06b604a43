import { type CreateRoomBody, DEFAULT_ROOM_SUITE, type Member, type Role, type Room } from '@salon/protocol';
import { isBanned } from '../store/governance.js';
import type { RoomRow } from '../store/rooms.js';
import {
  deleteMember,
  findRoomWithRoleCoalesced,
  insertMember,
  insertRoomWithOwner,
  listMembers,
  listVisibleRooms,
  toRoom,
} from '../store/rooms.js';
import { recordAudit } from './audit.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, forbidden, invalid, isId, isUniqueViolation, notFound } from './errors.js';
import { type Ability, can } from './permissions.js';

export interface RoomAccess {
  room: RoomRow;
  role: Role | null;
}

/**
 * Fetches a room the actor may see. A private room is `not_found` to non-members, so that its existence,
 * name and members do not leak to anyone probing ids.
 */
export async function accessRoom(ctx: DomainContext, actor: Actor, roomId: string): Promise<RoomAccess> {
  const found = isId(roomId) ? await findRoomWithRoleCoalesced(ctx.db, roomId, actor.user.id) : undefined;
  if (!found || (found.room.visibility === 'private' && found.role === null)) {
    // Probing for private rooms looks like a run of these: the detection rules watch for it.
    ctx.security({
      kind: 'room.not_found',
      userId: actor.user.id,
      ip: actor.ip ?? null,
      details: { roomId: roomId.slice(0, 64) },
    });
    throw notFound();
  }
  return found;
}

/** Fetches the room and checks that the actor holds the ability there. */
export async function accessRoomFor(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  ability: Ability,
): Promise<RoomAccess> {
  const access = await accessRoom(ctx, actor, roomId);
  if (!can(access.role, ability)) {
    throw forbidden(access.role === null ? 'join the room first' : 'your role does not allow this');
  }
  return access;
}

/** Creates a room owned by the actor; names are unique regardless of case. */
export async function doCreateRoom(ctx: DomainContext, actor: Actor, body: CreateRoomBody): Promise<Room> {
  await ctx.limits.consume('roomCreate', actor.user.id);
  // Private rooms are end-to-end encrypted unless their creator opts out; public rooms cannot be (anyone may
  // join them, so there is no secret to keep). Both the flag and the suite are fixed for the room's lifetime.
  const encrypted = body.encrypted ?? body.visibility === 'private';
  if (encrypted && body.visibility === 'public') throw invalid('public rooms cannot be end-to-end encrypted');
  if (!encrypted && body.suite !== undefined) throw invalid('suite applies to encrypted rooms only');
  const suite = encrypted ? (body.suite ?? DEFAULT_ROOM_SUITE) : null;
  try {
    const row = await insertRoomWithOwner(
      ctx.db,
      {
        name: body.name,
        visibility: body.visibility,
        topic: body.topic ?? '',
        createdBy: actor.user.id,
        encrypted,
        suite,
      },
      (tx, room) =>
        recordAudit(tx, ctx.now(), {
          roomId: room.id,
          actorId: actor.user.id,
          action: 'room.created',
          details: { name: room.name, visibility: room.visibility, encrypted, ...(suite ? { suite } : {}) },
        }),
    );
    return toRoom(row, 'owner');
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('room_name_taken', 'a room with this name exists');
    throw err;
  }
}

/** The actor's rooms and the public ones. */
export async function listRooms(ctx: DomainContext, actor: Actor): Promise<Room[]> {
  const rows = await listVisibleRooms(ctx.db, actor.user.id);
  return rows.map((r) => toRoom(r.room, r.role));
}

/** Joins a public room (private rooms need an invitation); joining twice is harmless. */
export async function doJoinRoom(ctx: DomainContext, actor: Actor, roomId: string): Promise<Room> {
  await ctx.limits.consume('join', actor.user.id);
  const { room, role } = await accessRoom(ctx, actor, roomId);
  if (role !== null) return toRoom(room, role);
  if (room.visibility !== 'public') throw notFound();
  if (await isBanned(ctx.db, room.id, actor.user.id)) throw forbidden('you are banned from this room');
  if (await insertMember(ctx.db, room.id, actor.user.id, 'member')) {
    ctx.notify.roomEvent(room.id, 'member.joined', { user: actor.user, role: 'member' });
  }
  return toRoom(room, 'member');
}

/** Leaves a room; the actor's subscriptions to it end on every process. */
export async function doLeaveRoom(ctx: DomainContext, actor: Actor, roomId: string): Promise<void> {
  const { room, role } = await accessRoom(ctx, actor, roomId);
  if (role === null) throw forbidden('you are not a member of this room');
  if (!can(role, 'room.leave')) throw forbidden('the owner must transfer ownership before leaving');
  if (await deleteMember(ctx.db, room.id, actor.user.id, room.encrypted)) {
    ctx.notify.roomEvent(room.id, 'member.left', { user: actor.user }, actor.user.id);
  }
}

/** Members of a room the actor may see (public rooms: anyone logged in; private: members). */
export async function listRoomMembers(ctx: DomainContext, actor: Actor, roomId: string): Promise<Member[]> {
  const { room } = await accessRoom(ctx, actor, roomId);
  return listMembers(ctx.db, room.id);
}
