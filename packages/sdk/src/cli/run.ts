import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SalonClient } from '../client.js';
import { SalonError } from '../errors.js';
import { type Invocation, parseInvocation } from './args.js';
import type { Context } from './command.js';
import { LATER } from './commands/index.js';
import { describeFailure, EXIT, UsageError } from './exit.js';
import { commandHelp, DEFAULT_SERVER, generalHelp } from './help.js';
import { Output } from './output.js';
import { Profile } from './profile.js';

/** Runs one `salon` command line and returns its exit code (CLI.md); never throws. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let out = new Output(argv.includes('--json'));
  try {
    const invocation = parseInvocation(argv);
    out = new Output(invocation.global.json);
    const { command, global } = invocation;
    if (global.version) {
      process.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (!command) return unknownCommand(invocation);
    if (global.help) {
      process.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return (await command.run(makeContext(invocation, env, out))) ?? EXIT.ok;
  } catch (err) {
    const [exitCode, code, message] = describeFailure(err);
    out.error(code, message);
    return exitCode;
  }
}

function unknownCommand({ unknown, global }: Invocation): number {
  if (unknown === undefined || unknown === 'help') {
    process.stdout.write(generalHelp());
    return unknown === undefined && !global.help ? EXIT.usage : EXIT.ok;
  }
  if (unknown in LATER) throw new UsageError(`"${unknown}" comes with end-to-end encryption, in a later version`);
  throw new UsageError(`unknown command "${unknown}" (salon --help lists them)`);
}

function makeContext(invocation: Invocation, env: NodeJS.ProcessEnv, out: Output): Context {
  const { global } = invocation;
  const profile = new Profile(global.home || env.SALON_HOME || join(homedir(), '.salon'));
  const servers = global.server || env.SALON_SERVER || profile.readSession()?.server || DEFAULT_SERVER;
  const session = () => {
    const saved = profile.readSession();
    if (!saved) throw new SalonError('unauthenticated', 'not logged in: run salon login USERNAME');
    return saved;
  };
  return {
    args: invocation.args,
    opts: invocation.opts,
    out,
    profile,
    env,
    servers,
    session,
    client({ withSession, ...overrides } = {}) {
      const token = withSession ? session().token : undefined;
      return new SalonClient({ servers, ...(token ? { token } : {}), ...overrides });
    },
  };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
