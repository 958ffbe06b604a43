import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SalonClient } from '../client.js';
import { isPlainProfile, openProfileKeyStore } from '../e2ee/fileKeyStore.js';
import type { KeyStore } from '../e2ee/keyStore.js';
import { SalonError } from '../errors.js';
import { type Invocation, parseInvocation } from './args.js';
import type { Context } from './command.js';
import { describeFailure, EXIT, UsageError } from './exit.js';
import { commandHelp, DEFAULT_SERVER, generalHelp } from './help.js';
import { promptHidden } from './input.js';
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
  throw new UsageError(`unknown command "${unknown}" (salon --help lists them)`);
}

function makeContext(invocation: Invocation, env: NodeJS.ProcessEnv, out: Output): Context {
  const { global } = invocation;
  const profile = new Profile(global.home || env.SALON_HOME || join(homedir(), '.salon'));
  const servers = global.server || env.SALON_SERVER || profile.readSession()?.server || DEFAULT_SERVER;
  let keys: Promise<KeyStore> | undefined;
  const openKeys = () => {
    keys ??= openProfileKeys(profile.home, env, out.json);
    return keys;
  };
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
    async secureClient(opts = {}) {
      const client = this.client(opts);
      const engine = client.enableEncryption({ store: await openKeys(), deviceName: 'salon cli' });
      engine.on('desync', ({ reason }) => warn(out.json, `lost track of the room's keys (${reason}); rejoined`));
      engine.on('warning', ({ message }) => warn(out.json, message));
      await engine.loadDevice();
      return { client, engine };
    },
  };
}

/** Warnings go to standard error (as `{"warning": {message}}` with --json), never among the results. */
function warn(json: boolean, text: string): void {
  process.stderr.write(json ? `${JSON.stringify({ warning: { message: text } })}\n` : `salon: warning: ${text}\n`);
}

/**
 * The profile's key store, sealed with SALON_PASSPHRASE (or one typed on the terminal), else plain: the warning
 * comes when such a profile first stores keys (CLI.md), not on every later command.
 */
async function openProfileKeys(home: string, env: NodeJS.ProcessEnv, json: boolean): Promise<KeyStore> {
  let passphrase = env.SALON_PASSPHRASE || undefined;
  if (passphrase === undefined && process.stdin.isTTY && !(await isPlainProfile(home))) {
    passphrase =
      (await promptHidden("Passphrase for this profile's keys (empty: store them unencrypted): ")) || undefined;
  }
  const opened = await openProfileKeyStore(home, passphrase);
  if (!opened.sealed && !opened.created && passphrase !== undefined) {
    warn(json, `keys in ${home} were stored unencrypted before a passphrase was set; log out with --wipe to seal them`);
  }
  if (!opened.sealed && opened.created) {
    warn(json, `keys in ${home} are stored unencrypted (no SALON_PASSPHRASE and no terminal to ask for one)`);
  }
  return opened.store;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
