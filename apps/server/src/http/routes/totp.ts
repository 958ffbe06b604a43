import { TotpConfirmBodySchema, TotpDisableBodySchema } from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import { recordLoginFailure } from '../../domain/accounts.js';
import type { DomainContext } from '../../domain/context.js';
import { doConfirmTotp, doDisableTotp, doSetupTotp } from '../../domain/totp.js';
import { requireActor } from '../auth.js';
import { parseInput } from '../validate.js';

/** The caller's second factor (TOTP, RFC 6238): enrol, confirm with a first code, turn off. */
export function totpRoutes(app: FastifyInstance, domain: DomainContext): void {
  // Enrolment must stay reachable where the platform requires a second factor and the account has none yet.
  app.addHook('preHandler', requireActor(domain, { allowUnenrolled: true }));

  app.post('/api/auth/totp/setup', async (request) => doSetupTotp(domain, request.actor));

  app.post('/api/auth/totp/confirm', async (request) =>
    doConfirmTotp(domain, request.actor, parseInput(TotpConfirmBodySchema, request.body)),
  );

  app.delete('/api/auth/totp', async (request, reply) => {
    const { actor } = request;
    await doDisableTotp(domain, actor, parseInput(TotpDisableBodySchema, request.body ?? {}), () => {
      domain.security({
        kind: 'login.failed',
        userId: actor.user.id,
        ip: request.ip,
        details: { username: actor.user.username, totpDisable: true },
      });
      return recordLoginFailure(domain, actor.user.username, request.ip);
    });
    return reply.status(204).send();
  });
}
