import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Account, LoginBody, RegisterBody, User } from '@salon/protocol';
import { deleteSession, findLiveSession, insertSession, listUserSessions, touchSession } from '../store/sessions.js';
import { findTotp } from '../store/totp.js';
import { findUserById, findUserByUsername, insertUser, toUser } from '../store/users.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, isUniqueViolation } from './errors.js';
import { checkSecondFactor } from './totp.js';

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
 * Checks the password (and the second factor, when the account has one) and opens a session; the same answer
 * for an unknown user and a wrong password. Brute force: attempts are limited per address, and a username
 * locks after repeated failures (for an unknown username too, so a lock reveals nothing) for a time that
 * doubles with each lockout; a wrong second factor counts as a failure too. Existing sessions are untouched,
 * so the real owner stays logged in where they already are.
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
  const factor = await checkSecondFactor(ctx, row.id, body);
  if (factor === 'required') {
    // The password was right, so this is no failure; but no session without the second factor.
    throw new AppError('totp_required', 'this account has a second factor: send totp or recoveryCode as well');
  }
  if (factor === 'invalid') {
    ctx.security({
      kind: 'login.failed',
      userId: row.id,
      ip: client.ip,
      details: { username: body.username, secondFactor: true },
    });
    await recordLoginFailure(ctx, body.username, client.ip);
    throw new AppError('totp_invalid', 'wrong, expired or already used code');
  }
  await limits.reset('loginFailures', body.username);
  return openSession(ctx, row, client);
}

/** Creates the session and tells the user's other sessions about it (a login they did not make is a warning). */
async function openSession(
  ctx: DomainContext,
  row: { id: string; username: string; displayName: string },
  client: { ip: string; userAgent?: string | undefined },
): Promise<{ user: User; token: string; expiresAt: Date }> {
  const now = ctx.now();
  const earlier = await listUserSessions(ctx.db, row.id, now);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const userAgent = client.userAgent?.slice(0, 300) ?? null;
  const session = await insertSession(ctx.db, {
    tokenHash: hashToken(token),
    userId: row.id,
    expiresAt,
    ip: client.ip,
    userAgent,
    createdAt: now,
  });
  const newNetwork = earlier.length > 0 && !earlier.some((s) => s.ip === client.ip);
  if (newNetwork) ctx.security({ kind: 'login.new_network', userId: row.id, ip: client.ip });
  ctx.notify.userEvent(row.id, 'security.new_login', {
    session: { id: session.id, ip: client.ip, userAgent, createdAt: now.toISOString() },
    newNetwork,
  });
  return { user: toUser(row), token, expiresAt };
}

/** Counts a failed login (or a wrong password or code where one is asked again); locks the username past the limit. */
export async function recordLoginFailure(ctx: DomainContext, username: string, ip: string): Promise<void> {
  const { limits } = ctx;
  await limits.consume('loginIpFailures', ip).catch(() => undefined);
  const failures = await limits.consume('loginFailures', username).catch(() => null);
  if (failures && failures.remainingPoints > 0) return;
  const lockouts = await limits.consume('lockouts', username).catch(() => null);
  const n = lockouts?.consumedPoints ?? 1;
  await limits.block('loginFailures', username, Math.min(60 * 2 ** (n - 1), 3600));
  ctx.security({ kind: 'login.locked', ip, details: { username, lockouts: n } });
}

/**
 * The actor a session token stands for, or an `unauthenticated` refusal (unknown, revoked or expired). Where the
 * platform requires a second factor, an account without one gets `totp_enrollment_required` everywhere but on
 * the few routes that let it enrol (`allowUnenrolled`).
 */
export async function accessSession(
  ctx: DomainContext,
  token: string | undefined,
  ip?: string,
  opts: { allowUnenrolled?: boolean } = {},
): Promise<Actor> {
  if (!token || token.length > 256) throw new AppError('unauthenticated', 'log in first');
  const now = ctx.now();
  const found = await findLiveSession(ctx.db, hashToken(token), now);
  if (!found) throw new AppError('unauthenticated', 'session expired or unknown; log in again');
  if (now.getTime() - found.lastSeenAt.getTime() > 60_000)
    void touchSession(ctx.db, found.sessionId, now).catch(() => undefined);
  const totpEnabled = found.totpConfirmedAt !== null;
  if (ctx.requireTotp && !totpEnabled && !opts.allowUnenrolled) {
    throw new AppError('totp_enrollment_required', 'this platform requires a second factor: set one up first');
  }
  return {
    user: toUser(found.user),
    sessionId: found.sessionId,
    tier: found.user.limitTier,
    totpEnabled,
    ...(ip ? { ip } : {}),
  };
}

/** What the caller may want to know about their own account (the web client shapes its screens on it). */
export async function fetchAccount(ctx: DomainContext, actor: Actor): Promise<Account> {
  const [user, totp] = await Promise.all([findUserById(ctx.db, actor.user.id), findTotp(ctx.db, actor.user.id)]);
  return {
    platformAdmin: user?.isPlatformAdmin === true,
    totpEnabled: Boolean(totp?.confirmedAt),
    totpRequired: ctx.requireTotp === true,
    tier: user?.limitTier ?? 'standard',
  };
}

/** Ends the session here and on every process's open sockets. */
export async function doLogout(ctx: DomainContext, actor: Actor): Promise<void> {
  await deleteSession(ctx.db, actor.sessionId);
  ctx.notify.sessionRevoked(actor.user.id, actor.sessionId);
}
