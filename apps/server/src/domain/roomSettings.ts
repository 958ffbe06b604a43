import type { Room, UpdateRoomBodySchema } from '@salon/protocol';
import type { z } from 'zod';
import { deleteRoom, toRoom, updateRoom } from '../store/rooms.js';
import { recordAudit } from './audit.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, forbidden, invalid, isUniqueViolation, notFound } from './errors.js';
import { can } from './permissions.js';
import { accessRoom } from './rooms.js';

type UpdateRoomBody = z.infer<typeof UpdateRoomBodySchema>;

/** Changes name, topic, visibility (`room.update`) and retention (`room.set_retention`). */
export async function doUpdateRoom(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  body: UpdateRoomBody,
): Promise<Room> {
  const { room, role } = await accessRoom(ctx, actor, roomId);
  const { retentionSeconds, ...settings } = body;
  if (Object.keys(settings).length > 0 && !can(role, 'room.update')) throw forbidden('your role does not allow this');
  if (retentionSeconds !== undefined && !can(role, 'room.set_retention'))
    throw forbidden('your role does not allow this');
  if (room.encrypted && body.visibility === 'public') {
    throw invalid('an end-to-end encrypted room stays private');
  }
  let updated: Awaited<ReturnType<typeof updateRoom>>;
  try {
    updated = await ctx.db.transaction(async (tx) => {
      const row = await updateRoom(tx, room.id, body);
      await recordAudit(tx, ctx.now(), {
        roomId: room.id,
        actorId: actor.user.id,
        action: 'room.updated',
        details: { ...body },
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('room_name_taken', 'a room with this name exists');
    throw err;
  }
  if (!updated) throw notFound();
  const { role: _omit, joined: _j, ...shared } = toRoom(updated, null);
  ctx.notify.roomEvent(room.id, 'room.updated', { room: shared });
  return toRoom(updated, role);
}

/** Deletes the room and everything in it; every subscription to it ends. The audit entry goes to the platform log. */
export async function doDeleteRoom(ctx: DomainContext, actor: Actor, roomId: string): Promise<void> {
  const { room, role } = await accessRoom(ctx, actor, roomId);
  if (!can(role, 'room.delete')) throw forbidden('only the owner can delete the room');
  await ctx.db.transaction(async (tx) => {
    await deleteRoom(tx, room.id);
    await recordAudit(tx, ctx.now(), {
      roomId: room.id,
      actorId: actor.user.id,
      action: 'room.deleted',
      details: { name: room.name },
    });
    await recordAudit(tx, ctx.now(), {
      roomId: null,
      actorId: actor.user.id,
      action: 'room.deleted',
      details: { roomId: room.id, name: room.name },
    });
  });
  ctx.notify.roomEvent(room.id, 'room.deleted', { by: actor.user }, '*');
}
