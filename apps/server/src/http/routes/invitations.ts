import { CreateLinkBodySchema, InviteBodySchema, JoinRequestBodySchema } from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import {
  doAcceptInvitation,
  doCreateLink,
  doDecideJoinRequest,
  doDeclineInvitation,
  doInvite,
  doRedeemLink,
  doRequestJoin,
  doRevokeLink,
  listMyInvitations,
  listRoomJoinRequests,
} from '../../domain/invitations.js';
import { requireActor } from '../auth.js';
import { parseInput } from '../validate.js';

type RoomParams = { Params: { roomId: string } };

/** Invitations to a user, invite links and join requests. */
export function invitationRoutes(app: FastifyInstance, domain: DomainContext): void {
  app.addHook('preHandler', requireActor(domain));

  app.post<RoomParams>('/api/rooms/:roomId/invitations', async (request, reply) => {
    const { username } = parseInput(InviteBodySchema, request.body);
    return reply
      .status(201)
      .send({ invitation: await doInvite(domain, request.actor, request.params.roomId, username) });
  });

  app.get('/api/invitations', async (request) => ({ invitations: await listMyInvitations(domain, request.actor) }));

  app.post<{ Params: { invitationId: string } }>('/api/invitations/:invitationId/accept', async (request) => ({
    room: await doAcceptInvitation(domain, request.actor, request.params.invitationId),
  }));

  app.post<{ Params: { invitationId: string } }>('/api/invitations/:invitationId/decline', async (request, reply) => {
    await doDeclineInvitation(domain, request.actor, request.params.invitationId);
    return reply.status(204).send();
  });

  app.post<RoomParams>('/api/rooms/:roomId/links', async (request, reply) => {
    const body = parseInput(CreateLinkBodySchema, request.body);
    return reply.status(201).send({ link: await doCreateLink(domain, request.actor, request.params.roomId, body) });
  });

  app.delete<{ Params: { roomId: string; token: string } }>(
    '/api/rooms/:roomId/links/:token',
    async (request, reply) => {
      await doRevokeLink(domain, request.actor, request.params.roomId, request.params.token);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { token: string } }>('/api/links/:token/redeem', async (request) => ({
    room: await doRedeemLink(domain, request.actor, request.params.token),
  }));

  app.post('/api/join-requests', async (request, reply) => {
    await doRequestJoin(domain, request.actor, parseInput(JoinRequestBodySchema, request.body).roomName);
    return reply.status(202).send();
  });

  app.get<RoomParams>('/api/rooms/:roomId/join-requests', async (request) => ({
    requests: await listRoomJoinRequests(domain, request.actor, request.params.roomId),
  }));

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { roomId: string; requestId: string } }>(
      `/api/rooms/:roomId/join-requests/:requestId/${decision}`,
      async (request, reply) => {
        const { roomId, requestId } = request.params;
        await doDecideJoinRequest(domain, request.actor, roomId, requestId, decision === 'approve');
        return reply.status(204).send();
      },
    );
  }
}
