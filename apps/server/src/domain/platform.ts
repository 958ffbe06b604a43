import type { LimitTier } from '@salon/protocol';
import type { Db } from '../store/db.js';
import { setLimitTier, setPlatformAdmin } from '../store/users.js';
import { recordAudit } from './audit.js';

/**
 * Platform-wide changes to an account, each with its entry in the platform audit log. They take the database
 * and the clock rather than a full context: the operator's command line runs them without a server.
 */

/** Grants or revokes platform administration. */
export async function doSetPlatformAdmin(
  db: Db,
  now: Date,
  change: { userId: string; grant: boolean; actorId: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await setPlatformAdmin(tx, change.userId, change.grant);
    await recordAudit(tx, now, {
      roomId: null,
      actorId: change.actorId,
      action: change.grant ? 'platform.admin_granted' : 'platform.admin_revoked',
      targetId: change.userId,
    });
  });
}

/**
 * Puts an account on a limit tier: `bot` sends under the higher `sendUserRoomBot` budget. REST calls see the
 * change at once; an open WebSocket keeps the tier it was opened with until it reconnects.
 */
export async function doSetLimitTier(
  db: Db,
  now: Date,
  change: { userId: string; tier: LimitTier; actorId: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await setLimitTier(tx, change.userId, change.tier);
    await recordAudit(tx, now, {
      roomId: null,
      actorId: change.actorId,
      action: 'platform.tier_changed',
      targetId: change.userId,
      details: { tier: change.tier },
    });
  });
}
