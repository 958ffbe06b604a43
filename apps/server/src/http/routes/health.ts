import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Broker } from '../../broker/broker.js';
import type { Db } from '../../store/db.js';

/** Liveness (the process answers) and readiness (its database and broker answer too). */
export function healthRoutes(app: FastifyInstance, deps: { db: Db; broker: Broker; draining: () => boolean }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    let database = true;
    try {
      await deps.db.execute(sql`select 1`);
    } catch {
      database = false;
    }
    const broker = deps.broker.healthy();
    const ready = database && broker && !deps.draining();
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'degraded', database, broker, draining: deps.draining() });
  });
}
