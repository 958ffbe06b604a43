import type { Message } from '@salon/protocol';
import type { E2eeClient } from './E2eeClient';
import type { DecodeStatus } from './protocol';

/**
 * A message as the timeline holds it: in an encrypted room `body` is the decrypted text (present only when it
 * decrypted and verified) and `e2ee` says how it read on this device; the ciphertext itself is not kept.
 */
export type TimelineMessage = Message & { e2ee?: DecodeStatus };

/**
 * Decrypts a batch of an encrypted room's messages, in seq order (the worker processes a room's stream strictly
 * in order anyway). Commits go to the worker too, so the group keeps up, but are not shown; deletions stay
 * tombstones. A message the worker could not handle at all reads as undecryptable, never as its ciphertext.
 */
export async function decodeMessages(client: E2eeClient, messages: readonly Message[]): Promise<TimelineMessage[]> {
  const decoded = await Promise.all(
    messages.map(async (message): Promise<TimelineMessage | null> => {
      const { ciphertext: _ciphertext, body: _body, ...rest } = message;
      if (message.deletedAt !== undefined) return rest;
      const result = await client.decode(message).catch(() => ({ status: 'undecryptable' as const, text: undefined }));
      if (message.kind === 'commit') return null;
      return { ...rest, e2ee: result.status, ...(result.text === undefined ? {} : { body: result.text }) };
    }),
  );
  return decoded.filter((m): m is TimelineMessage => m !== null);
}
