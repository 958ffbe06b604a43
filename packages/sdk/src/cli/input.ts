import { UsageError } from './exit.js';

/**
 * The password: SALON_PASSWORD, else asked on the terminal without echo. Never a flag: flags end up in shell
 * history and in every other user's `ps` output.
 */
export async function readPassword(env: NodeJS.ProcessEnv, opts: { confirm?: boolean } = {}): Promise<string> {
  if (env.SALON_PASSWORD) return env.SALON_PASSWORD;
  if (!process.stdin.isTTY) throw new UsageError('no password: set SALON_PASSWORD or run in a terminal');
  const password = await promptHidden('Password: ');
  if (opts.confirm && (await promptHidden('Password again: ')) !== password) {
    throw new UsageError('the two passwords differ');
  }
  return password;
}

/** Reads one line from the terminal with echo off. */
export function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let typed = '';
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** All of standard input as text, without its final newline (for `send ROOM -`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
