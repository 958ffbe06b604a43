import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessSession } from '../domain/accounts.js';
import type { Actor, DomainContext } from '../domain/context.js';

export const SESSION_COOKIE = 'salon_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

/** The session token of a request: `Authorization: Bearer`, else the session cookie. */
export function readSessionToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const cookie = headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * preHandler that refuses unauthenticated requests and sets `request.actor`. `allowUnenrolled`: the route stays
 * open to an account without a second factor where the platform requires one (enrolment, me, logout).
 */
export function requireActor(domain: DomainContext, opts: { allowUnenrolled?: boolean } = {}) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.actor = await accessSession(domain, readSessionToken(request.headers), request.ip, opts);
  };
}
