import type { FastifyInstance } from 'fastify';
import { fetchPlatformAudit, isPlatformAdmin } from '../../domain/audit.js';
import type { DomainContext } from '../../domain/context.js';
import { forbidden } from '../../domain/errors.js';
import { listAllRooms } from '../../store/rooms.js';
import { requireActor } from '../auth.js';

/** Platform administration: every room's metadata (never its messages) and the platform audit log. */
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
}
