import type { Message } from '@salon/protocol';

/**
 * Adds `incoming` to `current` (ascending by seq) without duplicates: the same seq can arrive from history, from
 * the ack of our own send and from the live stream, and the latest copy wins (it may carry an edit).
 */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const bySeq = new Map<number, Message>();
  for (const message of current) bySeq.set(message.seq, message);
  for (const message of incoming) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Removes one message (deleted or expired). */
export function withoutSeq(current: readonly Message[], seq: number): Message[] {
  return current.filter((message) => message.seq !== seq);
}
