import {
  BanBodySchema,
  KickBodySchema,
  MuteBodySchema,
  SetRoleBodySchema,
  UpdateRoomBodySchema,
} from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fetchRoomAudit } from '../../domain/audit.js';
import type { DomainContext } from '../../domain/context.js';
import { doBan, doDeleteMessage, doKick, doMute, doSetRole, doUnban } from '../../domain/moderation.js';
import { doDeleteRoom, doUpdateRoom } from '../../domain/roomSettings.js';
import { accessRoomFor } from '../../domain/rooms.js';
import { toAlert } from '../../domain/security.js';
import { listBans } from '../../store/governance.js';
import { listAlerts } from '../../store/security.js';
import { requireActor } from '../auth.js';
import { parseInput } from '../validate.js';

type RoomParams = { Params: { roomId: string } };
type MemberParams = { Params: { roomId: string; userId: string } };
const SeqParamSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Room settings, roles, kicks, bans, mutes, message deletion and the room's audit log. */
export function moderationRoutes(app: FastifyInstance, domain: DomainContext): void {
  app.addHook('preHandler', requireActor(domain));

  app.patch<RoomParams>('/api/rooms/:roomId', async (request) => ({
    room: await doUpdateRoom(
      domain,
      request.actor,
      request.params.roomId,
      parseInput(UpdateRoomBodySchema, request.body),
    ),
  }));

  app.delete<RoomParams>('/api/rooms/:roomId', async (request, reply) => {
    await doDeleteRoom(domain, request.actor, request.params.roomId);
    return reply.status(204).send();
  });

  app.patch<MemberParams>('/api/rooms/:roomId/members/:userId', async (request) => {
    const { role } = parseInput(SetRoleBodySchema, request.body);
    return { member: await doSetRole(domain, request.actor, request.params.roomId, request.params.userId, role) };
  });

  app.post<MemberParams>('/api/rooms/:roomId/members/:userId/kick', async (request, reply) => {
    const { reason } = parseInput(KickBodySchema, request.body ?? {});
    await doKick(domain, request.actor, request.params.roomId, request.params.userId, reason);
    return reply.status(204).send();
  });

  app.post<MemberParams>('/api/rooms/:roomId/members/:userId/mute', async (request, reply) => {
    const { seconds } = parseInput(MuteBodySchema, request.body);
    await doMute(domain, request.actor, request.params.roomId, request.params.userId, seconds);
    return reply.status(204).send();
  });

  app.delete<MemberParams>('/api/rooms/:roomId/members/:userId/mute', async (request, reply) => {
    await doMute(domain, request.actor, request.params.roomId, request.params.userId, 0);
    return reply.status(204).send();
  });

  app.get<RoomParams>('/api/rooms/:roomId/bans', async (request) => {
    const { room } = await accessRoomFor(domain, request.actor, request.params.roomId, 'member.ban');
    return { bans: await listBans(domain.db, room.id) };
  });

  app.post<RoomParams>('/api/rooms/:roomId/bans', async (request, reply) => {
    const { userId, reason } = parseInput(BanBodySchema, request.body);
    await doBan(domain, request.actor, request.params.roomId, userId, reason);
    return reply.status(201).send({});
  });

  app.delete<MemberParams>('/api/rooms/:roomId/bans/:userId', async (request, reply) => {
    await doUnban(domain, request.actor, request.params.roomId, request.params.userId);
    return reply.status(204).send();
  });

  app.delete<{ Params: { roomId: string; seq: string } }>(
    '/api/rooms/:roomId/messages/:seq',
    async (request, reply) => {
      const seq = parseInput(SeqParamSchema, request.params.seq);
      await doDeleteMessage(domain, request.actor, request.params.roomId, seq);
      return reply.status(204).send();
    },
  );

  app.get<RoomParams>('/api/rooms/:roomId/alerts', async (request) => {
    const { room } = await accessRoomFor(domain, request.actor, request.params.roomId, 'audit.view');
    return { alerts: (await listAlerts(domain.db, { roomId: room.id, limit: 200 })).map(toAlert) };
  });

  app.get<RoomParams>('/api/rooms/:roomId/audit', async (request) =>
    fetchRoomAudit(domain, request.actor, request.params.roomId),
  );
}
