import type { Message } from '@salon/protocol';

/**
 * Adds `incoming` to `current` (ascending by seq) without duplicates: the same seq can arrive from history, from
 * the ack of our own send and from the live stream, and the latest copy wins (it may carry an edit) unless it
 * would bring a deleted message back: a page of history read before a deletion may arrive after its event.
 */
export function mergeMessages<M extends Message>(current: readonly M[], incoming: readonly M[]): M[] {
  if (incoming.length === 0) return current as M[];
  const bySeq = new Map<number, M>();
  for (const message of current) bySeq.set(message.seq, message);
  for (const message of incoming) {
    if (message.deletedAt === undefined && bySeq.get(message.seq)?.deletedAt !== undefined) continue;
    bySeq.set(message.seq, message);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Turns one message into a tombstone, as history returns it after a deletion: its content gone, its seq kept,
 * and its end too, if it had one (the server still purges the row then).
 */
export function tombstone<M extends Message>(current: readonly M[], seq: number, deletedAt: string): M[] {
  const index = current.findIndex((message) => message.seq === seq);
  const found = current[index];
  if (!found || found.deletedAt !== undefined) return current as M[];
  const { roomId, sender, createdAt, expiresAt } = found;
  const next = [...current];
  // Only the fields a tombstone keeps: nothing of the content (nor its decrypted text) survives.
  next[index] = { roomId, seq, sender, createdAt, deletedAt, ...(expiresAt === undefined ? {} : { expiresAt }) } as M;
  return next;
}
