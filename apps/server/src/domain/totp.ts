import { createHash, randomInt } from 'node:crypto';
import { verify as verifyPassword } from '@node-rs/argon2';
import {
  RECOVERY_CODE_COUNT,
  type TotpConfirmBody,
  type TotpConfirmResponse,
  type TotpDisableBody,
  type TotpSetupResponse,
} from '@salon/protocol';
import { generateSecret, generateURI, verify } from 'otplib';
import {
  advanceTotpStep,
  confirmTotp,
  deleteTotp,
  findTotp,
  replaceRecoveryCodes,
  type TotpRow,
  upsertPendingTotp,
  useRecoveryCode,
} from '../store/totp.js';
import { findUserById } from '../store/users.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, notFound } from './errors.js';

/** Shown by authenticator apps next to the account name. */
const ISSUER = 'Salon';
/** RFC 6238 defaults, which every authenticator app uses: 30-second steps, six digits, HMAC-SHA-1. */
const PERIOD_SECONDS = 30;
/** One step either side: a phone clock a little off, or a code typed just as it changed, still works. */
const TOLERANCE_SECONDS = PERIOD_SECONDS;
/** Recovery codes are 10 characters of base32 (50 bits), shown as `xxxxx-xxxxx`. */
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

const totpInvalid = () => new AppError('totp_invalid', 'wrong, expired or already used code');

/** Recovery codes are stored as SHA-256 only: a leaked table does not hand out second factors. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(code.replace(/[\s-]+/g, '').toLowerCase())
    .digest('base64url');
}

function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/**
 * The time step a code belongs to, if it is valid now for this secret and newer than `afterStep`. Replay: a
 * code whose step is not after the last accepted one is refused, so a code seen over a shoulder or in a log
 * cannot be used a second time.
 */
export async function matchTotpStep(
  ctx: DomainContext,
  secret: string,
  code: string,
  afterStep: number | null,
): Promise<number | null> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(ctx.now().getTime() / 1000),
    period: PERIOD_SECONDS,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** The TOTP secret, stored sealed under a key derived from the master key (never in the database as is). */
function secretOf(ctx: DomainContext, row: TotpRow): string {
  return ctx.sealer.openValue('totp', row.userId, row.secret);
}

/** Accepts a code once: verifies it, then records its step atomically (of two racing logins, one wins). */
async function acceptCode(ctx: DomainContext, row: TotpRow, code: string): Promise<boolean> {
  const step = await matchTotpStep(ctx, secretOf(ctx, row), code, row.lastStep);
  return step !== null && (await advanceTotpStep(ctx.db, row.userId, step));
}

/** Starts an enrolment: a fresh secret, not enforced until a first code confirms it. */
export async function doSetupTotp(ctx: DomainContext, actor: Actor): Promise<TotpSetupResponse> {
  const secret = generateSecret();
  const sealed = ctx.sealer.sealValue('totp', actor.user.id, secret);
  const row = await upsertPendingTotp(ctx.db, actor.user.id, sealed, ctx.now());
  if (!row) throw new AppError('conflict', 'a second factor is already enabled; disable it first');
  return { secret, uri: generateURI({ issuer: ISSUER, label: actor.user.username, secret }) };
}

/** Enables the pending enrolment with a current code and hands out fresh recovery codes, once. */
export async function doConfirmTotp(
  ctx: DomainContext,
  actor: Actor,
  body: TotpConfirmBody,
): Promise<TotpConfirmResponse> {
  const row = await findTotp(ctx.db, actor.user.id);
  if (!row) throw notFound('second factor enrolment');
  if (row.confirmedAt) throw new AppError('conflict', 'the second factor is already enabled');
  const step = await matchTotpStep(ctx, secretOf(ctx, row), body.code, null);
  if (step === null) throw totpInvalid();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const now = ctx.now();
  const confirmed = await ctx.db.transaction(async (tx) => {
    if (!(await confirmTotp(tx, actor.user.id, row.secret, step, now))) return false;
    await replaceRecoveryCodes(tx, actor.user.id, codes.map(hashRecoveryCode), now);
    return true;
  });
  // A setup started again in between replaced the secret this code was checked against.
  if (!confirmed) throw new AppError('conflict', 'the enrolment changed meanwhile; start again');
  return { recoveryCodes: codes };
}

/**
 * Turns the second factor off (or abandons an enrolment) with a current code or the account password. A
 * stolen session alone cannot remove it; wrong answers count like failed logins, so this is no password oracle.
 */
export async function doDisableTotp(
  ctx: DomainContext,
  actor: Actor,
  body: TotpDisableBody,
  onFailure: () => Promise<void>,
): Promise<void> {
  const row = await findTotp(ctx.db, actor.user.id);
  if (!row) throw notFound('second factor');
  await ctx.limits.check('loginFailures', actor.user.username);
  let ok: boolean;
  if (body.code !== undefined) {
    ok = row.confirmedAt
      ? await acceptCode(ctx, row, body.code)
      : (await matchTotpStep(ctx, secretOf(ctx, row), body.code, null)) !== null;
  } else {
    const user = await findUserById(ctx.db, actor.user.id);
    ok = user !== undefined && (await verifyPassword(user.passwordHash, body.password ?? ''));
  }
  if (!ok) {
    await onFailure();
    throw body.code !== undefined ? totpInvalid() : new AppError('forbidden', 'wrong password');
  }
  await ctx.db.transaction((tx) => deleteTotp(tx, actor.user.id));
}

/**
 * What a login still needs once the password is right: nothing ('ok': no second factor, or a valid one was
 * given), a factor ('required'), or it was wrong ('invalid': a bad, replayed or used code).
 */
export async function checkSecondFactor(
  ctx: DomainContext,
  userId: string,
  body: { totp?: string | undefined; recoveryCode?: string | undefined },
): Promise<'ok' | 'required' | 'invalid'> {
  const row = await findTotp(ctx.db, userId);
  if (!row?.confirmedAt) return 'ok';
  if (body.totp !== undefined) return (await acceptCode(ctx, row, body.totp)) ? 'ok' : 'invalid';
  if (body.recoveryCode !== undefined) {
    return (await useRecoveryCode(ctx.db, userId, hashRecoveryCode(body.recoveryCode), ctx.now())) ? 'ok' : 'invalid';
  }
  return 'required';
}
