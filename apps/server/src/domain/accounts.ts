import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { LoginBody, RegisterBody, User } from '@salon/protocol';
import { deleteSession, findLiveSession, insertSession, touchSession } from '../store/sessions.js';
import { findUserByUsername, insertUser, toUser } from '../store/users.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, isUniqueViolation } from './errors.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/** argon2id with the OWASP-recommended floor (19 MiB, 2 passes); the algorithm id is Algorithm.Argon2id. */
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A hash of a random password, verified when the username is unknown so both paths cost the same. */
let decoyHash: Promise<string> | undefined;

/** Session tokens are 256 random bits; only their SHA-256 is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Creates an account; the username must be free. */
export async function doRegister(ctx: DomainContext, body: RegisterBody, client: { ip: string }): Promise<User> {
  await ctx.limits.consume('registerIp', client.ip);
  const passwordHash = await hash(body.password, ARGON2);
  try {
    const row = await insertUser(ctx.db, {
      username: body.username,
      displayName: body.displayName ?? body.username,
      passwordHash,
    });
    return toUser(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('username_taken', 'this username is taken');
    throw err;
  }
}

/**
 * Checks the password and opens a session; the same answer for an unknown user and a wrong password.
 * Brute force: attempts are limited per address, and a username locks after repeated failures (for an
 * unknown username too, so a lock reveals nothing) for a time that doubles with each lockout. Existing
 * sessions are untouched, so the real owner stays logged in where they already are.
 */
export async function doLogin(
  ctx: DomainContext,
  body: LoginBody,
  client: { ip: string; userAgent?: string | undefined },
): Promise<{ user: User; token: string; expiresAt: Date }> {
  const { limits } = ctx;
  await limits.consume('loginIp', client.ip);
  await limits.check('loginIpFailures', client.ip);
  await limits.check('loginFailures', body.username);
  const row = await findUserByUsername(ctx.db, body.username);
  decoyHash ??= hash(randomBytes(16).toString('hex'), ARGON2);
  const ok = await verify(row?.passwordHash ?? (await decoyHash), body.password);
  if (!row || !ok) {
    ctx.security({
      kind: 'login.failed',
      userId: row?.id ?? null,
      ip: client.ip,
      details: { username: body.username },
    });
    await recordLoginFailure(ctx, body.username, client.ip);
    throw new AppError('unauthenticated', 'wrong username or password');
  }
  await limits.reset('loginFailures', body.username);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.now().getTime() + SESSION_TTL_MS);
  await insertSession(ctx.db, {
    tokenHash: hashToken(token),
    userId: row.id,
    expiresAt,
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 300) ?? null,
  });
  return { user: toUser(row), token, expiresAt };
}

async function recordLoginFailure(ctx: DomainContext, username: string, ip: string): Promise<void> {
  const { limits } = ctx;
  await limits.consume('loginIpFailures', ip).catch(() => undefined);
  const failures = await limits.consume('loginFailures', username).catch(() => null);
  if (failures && failures.remainingPoints > 0) return;
  const lockouts = await limits.consume('lockouts', username).catch(() => null);
  const n = lockouts?.consumedPoints ?? 1;
  await limits.block('loginFailures', username, Math.min(60 * 2 ** (n - 1), 3600));
  ctx.security({ kind: 'login.locked', ip, details: { username, lockouts: n } });
}

/** The actor a session token stands for, or an `unauthenticated` refusal (unknown, revoked or expired). */
export async function accessSession(ctx: DomainContext, token: string | undefined, ip?: string): Promise<Actor> {
  if (!token || token.length > 256) throw new AppError('unauthenticated', 'log in first');
  const now = ctx.now();
  const found = await findLiveSession(ctx.db, hashToken(token), now);
  if (!found) throw new AppError('unauthenticated', 'session expired or unknown; log in again');
  if (now.getTime() - found.lastSeenAt.getTime() > 60_000)
    void touchSession(ctx.db, found.sessionId, now).catch(() => undefined);
  return { user: toUser(found.user), sessionId: found.sessionId, ...(ip ? { ip } : {}) };
}

/** Ends the session here and on every process's open sockets. */
export async function doLogout(ctx: DomainContext, actor: Actor): Promise<void> {
  await deleteSession(ctx.db, actor.sessionId);
  ctx.notify.sessionRevoked(actor.user.id, actor.sessionId);
}
