import { MAX_HISTORY_LIMIT } from '@salon/protocol';
import type { SalonClient } from '../../client.js';
import type { ReceivedMessage } from '../../codec.js';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { readStdin } from '../input.js';
import { failedCheck, printMessage } from '../print.js';
import { parseCount, resolveRoom } from '../resolve.js';
import { tailRoom } from './tail.js';

export const send: Command = {
  name: 'send',
  args: ['ROOM', 'TEXT'],
  options: { ttl: { type: 'string' }, timeout: { type: 'string' } },
  optionHelp: [
    ['--ttl S', 'the message expires after S seconds'],
    ['--timeout S', 'give up when the server has not acknowledged within S seconds (default 30)'],
  ],
  summary: 'sends a message (TEXT "-" reads standard input); waits until it is stored',
  prints: '{seq, createdAt}',
  async run(ctx) {
    const [ref, rawText] = ctx.args as [string, string];
    const text = rawText === '-' ? await readStdin() : rawText;
    if (!text.trim()) throw new UsageError('the message is empty');
    const ttlSeconds = parseCount(ctx.opts.ttl, 'ttl');
    const timeout = parseCount(ctx.opts.timeout, 'timeout');
    const { client } = await ctx.secureClient({
      withSession: true,
      ...(timeout === undefined ? {} : { sendTimeoutMs: timeout * 1000 }),
    });
    const room = await resolveRoom(client, ref);
    try {
      const ack = await client.send(room.id, text, ttlSeconds === undefined ? {} : { ttlSeconds });
      ctx.out.result({ seq: ack.seq, createdAt: ack.createdAt }, `sent #${ack.seq} to ${room.name}`);
    } finally {
      client.close();
    }
    return EXIT.ok;
  },
};

export const history: Command = {
  name: 'history',
  args: ['ROOM'],
  options: { after: { type: 'string' }, limit: { type: 'string' } },
  optionHelp: [
    ['--after SEQ', 'the first messages after SEQ (default: the newest ones)'],
    ['--limit N', 'at most N messages (default 50)'],
  ],
  summary: 'stored messages in seq order, decrypted where possible (exit 4 if one failed a check)',
  prints: '{seq, sender, text?, createdAt, status} per line',
  async run(ctx) {
    const { client } = await ctx.secureClient({ withSession: true });
    const room = await resolveRoom(client, ctx.args[0]!);
    const after = parseCount(ctx.opts.after, 'after');
    const limit = parseCount(ctx.opts.limit, 'limit') ?? 50;
    const messages =
      after === undefined ? await newest(client, room.id, limit) : await readForward(client, room.id, after, limit);
    for (const m of messages) printMessage(ctx, m);
    const last = messages.at(-1);
    if (last) ctx.profile.recordSeqs(new Map([[room.id, last.seq]]));
    return messages.some(failedCheck) ? EXIT.crypto : EXIT.ok;
  },
};

/** The first `limit` messages after `after`, page by page (a page holds at most 200). */
async function readForward(client: SalonClient, roomId: string, after: number, limit: number) {
  const out: ReceivedMessage[] = [];
  let cursor = after;
  while (out.length < limit) {
    const want = Math.min(MAX_HISTORY_LIMIT, limit - out.length);
    const page = await client.historyPage(roomId, { after: cursor, limit: want });
    out.push(...page.messages);
    // Commits count in the server's page but are not messages: only a short raw page marks the end.
    if (page.count < want || page.lastSeq === undefined) break;
    cursor = page.lastSeq;
  }
  return out.slice(0, limit);
}

/** The newest `limit` messages, in seq order, reading backwards page by page. */
async function newest(client: SalonClient, roomId: string, limit: number) {
  const out: ReceivedMessage[] = [];
  let before: number | undefined;
  while (out.length < limit) {
    const want = Math.min(MAX_HISTORY_LIMIT, limit - out.length);
    const page = await client.historyPage(roomId, before === undefined ? { limit: want } : { before, limit: want });
    out.unshift(...page.messages);
    if (page.count < want || page.firstSeq === undefined) break;
    before = page.firstSeq;
  }
  return out.slice(-limit);
}

export const tail: Command = {
  name: 'tail',
  args: ['ROOM'],
  options: { since: { type: 'string' }, count: { type: 'string' }, timeout: { type: 'string' } },
  optionHelp: [
    ['--since SEQ', 'first replay the messages after SEQ ("last": after the last one this profile saw)'],
    ['--count N', 'stop after N messages'],
    ['--timeout S', 'stop after S seconds'],
  ],
  summary: 'live messages, resuming after disconnects, until N messages or S seconds (or Ctrl-C)',
  prints: '{seq, sender, text?, createdAt, status} per line',
  run: tailRoom,
};
