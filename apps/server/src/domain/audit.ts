import type { AuditResponse } from '@salon/protocol';
import {
  type AuditRow,
  appendAuditRow,
  auditHash,
  GENESIS_HASH,
  listAuditRows,
  PLATFORM_SCOPE,
} from '../store/audit.js';
import type { Tx } from '../store/db.js';
import { findUsersByIds, toUser } from '../store/users.js';
import type { Actor, DomainContext } from './context.js';
import { forbidden } from './errors.js';
import { accessRoomFor } from './rooms.js';

export interface AuditInput {
  /** The room, or null for a platform-wide action. */
  roomId: string | null;
  actorId: string | null;
  action: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Records a governance action in the same transaction as the action itself: no action without its entry. */
export async function recordAudit(tx: Tx, now: Date, entry: AuditInput): Promise<void> {
  await appendAuditRow(tx, {
    scope: entry.roomId ?? PLATFORM_SCOPE,
    actorId: entry.actorId,
    action: entry.action,
    targetId: entry.targetId ?? null,
    details: JSON.stringify(entry.details ?? {}),
    createdAt: now,
  });
}

/** Recomputes the chain: the position of the first entry whose hash, link or position does not hold. */
export function verifyAuditChain(rows: AuditRow[]): number | undefined {
  let prev = GENESIS_HASH;
  for (const [i, row] of rows.entries()) {
    if (row.position !== i + 1 || row.prevHash !== prev || auditHash(row) !== row.hash) return row.position;
    prev = row.hash;
  }
  return undefined;
}

async function readAudit(ctx: DomainContext, scope: string): Promise<AuditResponse> {
  const rows = await listAuditRows(ctx.db, scope);
  const ids = [...new Set(rows.flatMap((r) => [r.actorId, r.targetId]).filter((id): id is string => id !== null))];
  const people = await findUsersByIds(ctx.db, ids);
  const byId = new Map(people.map((u) => [u.id, toUser(u)]));
  const brokenAt = verifyAuditChain(rows);
  return {
    entries: rows.map((r) => ({
      position: r.position,
      actor: r.actorId ? (byId.get(r.actorId) ?? null) : null,
      action: r.action,
      target: r.targetId ? (byId.get(r.targetId) ?? null) : null,
      details: safeParse(r.details),
      createdAt: r.createdAt.toISOString(),
      hash: r.hash,
    })),
    verified: brokenAt === undefined,
    ...(brokenAt !== undefined ? { brokenAt } : {}),
  };
}

function safeParse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A room's audit log with its verification, for those allowed to view it (and platform admins). */
export async function fetchRoomAudit(ctx: DomainContext, actor: Actor, roomId: string): Promise<AuditResponse> {
  if (await isPlatformAdmin(ctx, actor)) return readAudit(ctx, roomId);
  const { room } = await accessRoomFor(ctx, actor, roomId, 'audit.view');
  return readAudit(ctx, room.id);
}

/** The platform-wide log, for platform admins only. */
export async function fetchPlatformAudit(ctx: DomainContext, actor: Actor): Promise<AuditResponse> {
  if (!(await isPlatformAdmin(ctx, actor))) throw forbidden('platform administrators only');
  return readAudit(ctx, PLATFORM_SCOPE);
}

export async function isPlatformAdmin(ctx: DomainContext, actor: Actor): Promise<boolean> {
  const [row] = await findUsersByIds(ctx.db, [actor.user.id]);
  return row?.isPlatformAdmin === true;
}
