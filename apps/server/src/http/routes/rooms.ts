import { CreateRoomBodySchema, HistoryQuerySchema } from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { fetchHistory } from '../../domain/messages.js';
import { accessRoom, doCreateRoom, doJoinRoom, doLeaveRoom, listRoomMembers, listRooms } from '../../domain/rooms.js';
import { toRoom } from '../../store/rooms.js';
import { requireActor } from '../auth.js';
import { parseInput } from '../validate.js';

type RoomParams = { Params: { roomId: string } };

/** Rooms, membership and history. */
export function roomRoutes(app: FastifyInstance, domain: DomainContext): void {
  app.addHook('preHandler', requireActor(domain));

  app.get('/api/rooms', async (request) => ({ rooms: await listRooms(domain, request.actor) }));

  app.post('/api/rooms', async (request, reply) => {
    const room = await doCreateRoom(domain, request.actor, parseInput(CreateRoomBodySchema, request.body));
    return reply.status(201).send({ room });
  });

  app.get<RoomParams>('/api/rooms/:roomId', async (request) => {
    const { room, role } = await accessRoom(domain, request.actor, request.params.roomId);
    return { room: toRoom(room, role) };
  });

  app.post<RoomParams>('/api/rooms/:roomId/join', async (request) => ({
    room: await doJoinRoom(domain, request.actor, request.params.roomId),
  }));

  app.post<RoomParams>('/api/rooms/:roomId/leave', async (request, reply) => {
    await doLeaveRoom(domain, request.actor, request.params.roomId);
    return reply.status(204).send();
  });

  app.get<RoomParams>('/api/rooms/:roomId/members', async (request) => ({
    members: await listRoomMembers(domain, request.actor, request.params.roomId),
  }));

  app.get<RoomParams>('/api/rooms/:roomId/messages', async (request) => {
    const query = parseInput(HistoryQuerySchema, request.query);
    return { messages: await fetchHistory(domain, request.actor, request.params.roomId, query) };
  });
}
