import { LoginBodySchema, RegisterBodySchema } from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import { doLogin, doLogout, doRegister, fetchAccount, SESSION_TTL_MS } from '../../domain/accounts.js';
import type { DomainContext } from '../../domain/context.js';
import { requireActor, SESSION_COOKIE } from '../auth.js';
import { parseInput } from '../validate.js';

/** Accounts and sessions: register, login, logout, me. */
export function authRoutes(app: FastifyInstance, domain: DomainContext, opts: { secureCookies: boolean }): void {
  // Open to accounts that still have to enrol a second factor: they must be able to see who they are and leave.
  const auth = requireActor(domain, { allowUnenrolled: true });

  app.post('/api/auth/register', async (request, reply) => {
    const user = await doRegister(domain, parseInput(RegisterBodySchema, request.body), { ip: request.ip });
    return reply.status(201).send({ user });
  });

  app.post('/api/auth/login', async (request, reply) => {
    const { user, token } = await doLogin(domain, parseInput(LoginBodySchema, request.body), {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
    // HttpOnly: page scripts (and so injected ones) never see the token; Lax: not sent on cross-site posts.
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.secureCookies,
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { user, token };
  });

  app.post('/api/auth/logout', { preHandler: auth }, async (request, reply) => {
    await doLogout(domain, request.actor);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/me', { preHandler: auth }, async (request) => ({
    user: request.actor.user,
    account: await fetchAccount(domain, request.actor),
  }));
}
