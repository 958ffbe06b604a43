import type { ReceivedMessage } from '../codec.js';
import type { Context } from './command.js';

/** A message as `history` and `tail` print it: `{seq, sender, text?, createdAt, status}`. */
export function printMessage(ctx: Context, m: ReceivedMessage): void {
  const line: Record<string, unknown> = { seq: m.seq, sender: m.sender.username };
  if (m.text !== undefined) line.text = m.text;
  line.createdAt = m.createdAt;
  line.status = m.status;
  const shown = m.text ?? `(${m.status})`;
  ctx.out.result(line, `#${m.seq} ${m.createdAt.slice(0, 19).replace('T', ' ')} ${m.sender.username}: ${shown}`);
}

/** A message whose authenticity or transcript check failed: `history` and `tail` then exit 4 (CLI.md). */
export const failedCheck = (m: ReceivedMessage): boolean => m.status === 'unverified' || m.status === 'gap';
