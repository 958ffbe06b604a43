import { SetLimitTierBodySchema } from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import { fetchPlatformAudit, isPlatformAdmin } from '../../domain/audit.js';
import type { DomainContext } from '../../domain/context.js';
import { forbidden, isId, notFound } from '../../domain/errors.js';
import { doSetLimitTier } from '../../domain/platform.js';
import { toAlert } from '../../domain/security.js';
import { listAllRooms } from '../../store/rooms.js';
import { acknowledgeAlert, listAlerts } from '../../store/security.js';
import { findUserById, toUser } from '../../store/users.js';
import { requireActor } from '../auth.js';
import { parseInput } from '../validate.js';

/** Platform administration: every room's metadata (never its messages), the audit log, alerts, limit tiers. */
export function adminRoutes(app: FastifyInstance, domain: DomainContext): void {
  app.addHook('preHandler', requireActor(domain));
  app.addHook('preHandler', async (request) => {
    if (!(await isPlatformAdmin(domain, request.actor))) throw forbidden('platform administrators only');
  });

  app.get('/api/admin/rooms', async () => ({
    rooms: (await listAllRooms(domain.db)).map((r) => ({
      id: r.id,
      name: r.name,
      visibility: r.visibility,
      topic: r.topic,
      encrypted: r.encrypted,
      createdAt: r.createdAt.toISOString(),
      lastSeq: r.lastSeq,
      memberCount: r.memberCount,
    })),
  }));

  app.get('/api/admin/audit', async (request) => fetchPlatformAudit(domain, request.actor));

  app.get('/api/admin/alerts', async () => ({
    alerts: (await listAlerts(domain.db, { limit: 200 })).map(toAlert),
  }));

  app.post<{ Params: { alertId: string } }>('/api/admin/alerts/:alertId/ack', async (request, reply) => {
    const { alertId } = request.params;
    if (!/^[0-9a-f-]{36}$/i.test(alertId) || !(await acknowledgeAlert(domain.db, alertId, domain.now()))) {
      throw notFound('alert');
    }
    return reply.status(204).send();
  });

  app.put<{ Params: { userId: string } }>('/api/admin/users/:userId/tier', async (request) => {
    const { userId } = request.params;
    const user = isId(userId) ? await findUserById(domain.db, userId) : undefined;
    if (!user) throw notFound('user');
    const { tier } = parseInput(SetLimitTierBodySchema, request.body);
    await doSetLimitTier(domain.db, domain.now(), { userId: user.id, tier, actorId: request.actor.user.id });
    return { user: toUser(user), tier };
  });
}
