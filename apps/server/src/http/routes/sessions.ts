import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { notFound } from '../../domain/errors.js';
import { deleteUserSession, listUserSessions } from '../../store/sessions.js';
import { requireActor } from '../auth.js';

/** The caller's own sessions: list them, end one, or end every other one (their sockets close everywhere). */
export function sessionRoutes(app: FastifyInstance, domain: DomainContext): void {
  app.addHook('preHandler', requireActor(domain));

  app.get('/api/sessions', async (request) => {
    const rows = await listUserSessions(domain.db, request.actor.user.id, domain.now());
    return {
      sessions: rows.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === request.actor.sessionId,
      })),
    };
  });

  app.delete<{ Params: { sessionId: string } }>('/api/sessions/:sessionId', async (request, reply) => {
    const { user } = request.actor;
    const ok = /^[0-9a-f-]{36}$/i.test(request.params.sessionId)
      ? await deleteUserSession(domain.db, user.id, request.params.sessionId)
      : false;
    if (!ok) throw notFound('session');
    domain.notify.sessionRevoked(user.id, request.params.sessionId);
    return reply.status(204).send();
  });

  app.post('/api/sessions/revoke-others', async (request, reply) => {
    const { user, sessionId } = request.actor;
    const rows = await listUserSessions(domain.db, user.id, domain.now());
    for (const s of rows) {
      if (s.id !== sessionId && (await deleteUserSession(domain.db, user.id, s.id))) {
        domain.notify.sessionRevoked(user.id, s.id);
      }
    }
    return reply.status(204).send();
  });
}
