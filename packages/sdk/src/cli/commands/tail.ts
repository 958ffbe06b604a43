import { SalonError } from '../../errors.js';
import type { Context } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { failedCheck, printMessage } from '../print.js';
import { parseCount, resolveRoom } from '../resolve.js';

/** `--since SEQ`, or `--since last` (the last seq this profile saw in the room), or undefined (live only). */
function readSince(ctx: Context, roomId: string): number | undefined {
  if (ctx.opts.since !== 'last') return parseCount(ctx.opts.since, 'since');
  const seen = ctx.profile.readSeqs()[roomId];
  if (seen === undefined) throw new UsageError('--since last: this profile has not seen that room yet');
  return seen;
}

/** `tail`: prints a room's messages as they come, through the reconnecting client, until N messages or S seconds. */
export async function tailRoom(ctx: Context): Promise<number> {
  const { client } = await ctx.secureClient({ withSession: true });
  const room = await resolveRoom(client, ctx.args[0]!);
  const since = readSince(ctx, room.id);
  const count = parseCount(ctx.opts.count, 'count');
  const timeout = parseCount(ctx.opts.timeout, 'timeout');
  if (count === 0) return EXIT.ok;
  const seen = new Map<string, number>();
  let failed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finish: (code: number) => void = () => {};
  const interrupt = () => finish(EXIT.ok);
  try {
    return await new Promise<number>((resolve, reject) => {
      let printed = 0;
      let done = false;
      finish = (code) => {
        done = true;
        resolve(code === EXIT.ok && failed ? EXIT.crypto : code);
      };
      client.on('message', (m) => {
        if (done || m.roomId !== room.id) return;
        printMessage(ctx, m);
        if (failedCheck(m)) failed = true;
        seen.set(room.id, m.seq);
        if (count !== undefined && ++printed >= count) finish(EXIT.ok);
      });
      client.on('sessionEnded', () => reject(new SalonError('unauthenticated', 'the session ended; log in again')));
      client.on('subscriptionError', (_roomId, error) => reject(error));
      client.on('state', (state) => {
        if (state === 'reconnecting') ctx.out.note('connection lost; reconnecting');
      });
      if (timeout !== undefined) timer = setTimeout(() => finish(EXIT.ok), timeout * 1000);
      process.once('SIGINT', interrupt);
      client.subscribe(room.id, since === undefined ? {} : { since }).then((head) => {
        ctx.out.note(`following ${room.name} from #${since ?? head}`);
      }, reject);
    });
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', interrupt);
    client.close();
    ctx.profile.recordSeqs(seen);
  }
}
