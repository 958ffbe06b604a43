import type { FastifyBaseLogger } from 'fastify';
import { updateMember } from '../store/governance.js';
import {
  countEvents,
  deleteUserSessions,
  insertAlert,
  insertSecurityEvent,
  listPlatformAdminIds,
  recentAlertExists,
  type SecurityAlertRow,
} from '../store/security.js';
import { recordAudit } from './audit.js';
import type { DomainContext } from './context.js';

/** Every kind of security event Salon records. */
export type SecurityEventKind =
  | 'login.failed'
  | 'login.locked'
  | 'login.new_network'
  | 'room.not_found'
  | 'rate_limited'
  | 'invitation.created'
  | 'frame.invalid'
  | 'integrity.failed';

export interface SecurityEvent {
  kind: SecurityEventKind;
  userId?: string | null;
  ip?: string | null;
  roomId?: string | null;
  details?: Record<string, unknown>;
}

/**
 * The detection rules, thresholds in one place: a rule fires when `count` events of its kind gather within
 * `windowSeconds` for one subject, raises one alert per subject and window, and applies its response.
 */
export const SECURITY_RULES = {
  /** Many usernames tried from one address: block logins from it for an hour. */
  passwordSpraying: { kind: 'login.failed', windowSeconds: 600, distinctUsernames: 20, severity: 'high' },
  /** A username locked by repeated failures. */
  bruteForce: { kind: 'login.locked', windowSeconds: 900, count: 1, severity: 'medium' },
  /** One member flooding a room past the send limit: muted there for ten minutes. */
  messageFlood: { kind: 'rate_limited', windowSeconds: 60, count: 5, severity: 'medium', muteSeconds: 600 },
  /** Someone walking room ids they cannot see: every session of that user is revoked. */
  roomProbing: { kind: 'room.not_found', windowSeconds: 300, count: 50, severity: 'high' },
  /** Invitations sent in bulk. */
  massInvitations: { kind: 'invitation.created', windowSeconds: 60, count: 50, severity: 'medium' },
} as const;

type RuleName = keyof typeof SECURITY_RULES;

/** The per-room send limits, whichever tier they belong to: exceeding either is flooding. */
export function isSendLimit(name: unknown): boolean {
  return name === 'sendUserRoom' || name === 'sendUserRoomBot';
}

/** The part of the context the detector needs, plus a logger: detection must never break the request. */
export interface SecurityDeps {
  ctx: DomainContext;
  log: FastifyBaseLogger;
}

/** Records the event, then runs the rules it may trigger; failures are logged, never thrown. */
export function recordSecurityEvent(deps: SecurityDeps, event: SecurityEvent): void {
  void (async () => {
    const { ctx } = deps;
    await insertSecurityEvent(ctx.db, {
      kind: event.kind,
      userId: event.userId ?? null,
      ip: event.ip ?? null,
      roomId: event.roomId ?? null,
      details: JSON.stringify(event.details ?? {}),
      createdAt: ctx.now(),
    });
    await evaluateRules(deps, event);
  })().catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'security event not recorded'));
}

/** Subjects this process alerted on recently: during a flood, later events skip the counting queries. */
const recentlyAlerted = new Map<string, number>();

function quiet(name: RuleName, subject: string, now: number): boolean {
  const until = recentlyAlerted.get(`${name}|${subject}`);
  if (until === undefined) return false;
  if (until > now) return true;
  recentlyAlerted.delete(`${name}|${subject}`);
  return false;
}

async function evaluateRules(deps: SecurityDeps, event: SecurityEvent): Promise<void> {
  const { ctx } = deps;
  const now = ctx.now().getTime();
  const since = (seconds: number) => new Date(ctx.now().getTime() - seconds * 1000);
  switch (event.kind) {
    case 'login.failed': {
      const rule = SECURITY_RULES.passwordSpraying;
      if (!event.ip || quiet('passwordSpraying', `ip:${event.ip}`, now)) return;
      const { usernames } = await countEvents(ctx.db, rule.kind, { ip: event.ip }, since(rule.windowSeconds));
      if (usernames < rule.distinctUsernames) return;
      await raise(
        deps,
        'passwordSpraying',
        `ip:${event.ip}`,
        event,
        `${usernames} usernames tried from ${event.ip}`,
        async () => {
          await ctx.limits.block('loginIpFailures', event.ip!, 3600);
          return 'logins from this address blocked for 1 hour';
        },
      );
      return;
    }
    case 'login.locked':
      await raise(
        deps,
        'bruteForce',
        `username:${String(event.details?.username)}`,
        event,
        `username ${String(event.details?.username)} locked after repeated failed logins`,
        async () => 'username locked',
      );
      return;
    case 'rate_limited': {
      const rule = SECURITY_RULES.messageFlood;
      if (!isSendLimit(event.details?.limit) || !event.userId || !event.roomId) return;
      if (quiet('messageFlood', `flood:${event.userId}:${event.roomId}`, now)) return;
      const { total } = await countEvents(
        ctx.db,
        rule.kind,
        { userId: event.userId, roomId: event.roomId },
        since(rule.windowSeconds),
      );
      if (total < rule.count) return;
      await raise(deps, 'messageFlood', `flood:${event.userId}:${event.roomId}`, event, 'message flood in a room', () =>
        muteFlooder(ctx, event.userId!, event.roomId!, rule.muteSeconds),
      );
      return;
    }
    case 'room.not_found': {
      const rule = SECURITY_RULES.roomProbing;
      if (!event.userId || quiet('roomProbing', `probe:${event.userId}`, now)) return;
      const { total } = await countEvents(ctx.db, rule.kind, { userId: event.userId }, since(rule.windowSeconds));
      if (total < rule.count) return;
      await raise(
        deps,
        'roomProbing',
        `probe:${event.userId}`,
        event,
        `${total} unknown or hidden room ids requested`,
        async () => {
          for (const sessionId of await deleteUserSessions(ctx.db, event.userId!))
            ctx.notify.sessionRevoked(event.userId!, sessionId);
          return 'every session of the user revoked';
        },
      );
      return;
    }
    case 'invitation.created': {
      const rule = SECURITY_RULES.massInvitations;
      if (!event.userId || quiet('massInvitations', `invites:${event.userId}`, now)) return;
      const { total } = await countEvents(ctx.db, rule.kind, { userId: event.userId }, since(rule.windowSeconds));
      if (total < rule.count) return;
      await raise(
        deps,
        'massInvitations',
        `invites:${event.userId}`,
        event,
        `${total} invitations in a minute`,
        async () => 'none',
      );
      return;
    }
    default:
      return;
  }
}

/** Raises one alert per rule and subject per window, applies the response, and tells platform admins live. */
async function raise(
  deps: SecurityDeps,
  name: RuleName,
  subject: string,
  event: SecurityEvent,
  summary: string,
  respond: () => Promise<string>,
): Promise<void> {
  const { ctx } = deps;
  const rule = SECURITY_RULES[name];
  // Checked and set with no await in between: concurrent events of one flood all pass the rule's count before
  // any alert exists, and only the first of them on this process may go on to raise it.
  if (quiet(name, subject, ctx.now().getTime())) return;
  recentlyAlerted.set(`${name}|${subject}`, ctx.now().getTime() + rule.windowSeconds * 1000);
  if (await recentAlertExists(ctx.db, name, subject, new Date(ctx.now().getTime() - rule.windowSeconds * 1000))) return;
  const response = await respond();
  const alert = await insertAlert(ctx.db, {
    rule: name,
    severity: rule.severity,
    subject,
    userId: event.userId ?? null,
    ip: event.ip ?? null,
    roomId: event.roomId ?? null,
    summary,
    response,
    createdAt: ctx.now(),
  });
  deps.log.warn({ rule: name, subject, response }, 'security alert');
  for (const adminId of await listPlatformAdminIds(ctx.db)) {
    ctx.notify.userEvent(adminId, 'security.alert', { alert: toAlert(alert) });
  }
}

async function muteFlooder(ctx: DomainContext, userId: string, roomId: string, seconds: number): Promise<string> {
  const until = new Date(ctx.now().getTime() + seconds * 1000);
  await ctx.db.transaction(async (tx) => {
    await updateMember(tx, roomId, userId, { mutedUntil: until });
    await recordAudit(tx, ctx.now(), {
      roomId,
      actorId: null,
      action: 'member.muted',
      targetId: userId,
      details: { until: until.toISOString(), reason: 'automatic: message flood' },
    });
  });
  ctx.notify.roomEvent(roomId, 'member.muted', { user: { id: userId }, until: until.toISOString(), automatic: true });
  return `muted in the room until ${until.toISOString()}`;
}

/** An alert as clients see it. */
export function toAlert(row: SecurityAlertRow) {
  return {
    id: row.id,
    rule: row.rule,
    severity: row.severity,
    summary: row.summary,
    response: row.response,
    userId: row.userId,
    ip: row.ip,
    roomId: row.roomId,
    createdAt: row.createdAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
  };
}
