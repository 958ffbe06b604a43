import type { FastifyBaseLogger } from 'fastify';
import { purgeExpired } from '../store/messages.js';
import type { DomainContext } from './context.js';

/** Rows deleted per statement: small enough to keep each transaction short next to live sends. */
export const PURGE_BATCH = 500;

/**
 * Deletes every expired message (the row, not a soft delete) in batches, and tells each room's subscribers
 * which seqs expired. Returns how many were deleted.
 */
export async function doPurgeExpired(ctx: DomainContext, batch = PURGE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await purgeExpired(ctx.db, ctx.now(), batch);
    const byRoom = new Map<string, number[]>();
    for (const { roomId, seq } of removed) byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), seq]);
    for (const [roomId, seqs] of byRoom)
      ctx.notify.roomEvent(roomId, 'message.expired', { seqs: seqs.sort((a, b) => a - b) });
    total += removed.length;
    if (removed.length < batch) {
      // Periods whose every message has expired lose their key: backups cannot open those bodies any more.
      await ctx.sealer.destroyExpired(ctx.now());
      return total;
    }
  }
}

/** Runs the purge every `intervalMs` on this process; runs never overlap. Returns a stop function. */
export function schedulePurge(ctx: DomainContext, intervalMs: number, log: FastifyBaseLogger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    doPurgeExpired(ctx)
      .then((n) => {
        if (n > 0) log.info({ purged: n }, 'expired messages purged');
      })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'purge failed; will retry'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
