import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Command, OptionValues } from './command.js';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './exit.js';
import { usageOf } from './help.js';

const GLOBAL_OPTIONS = {
  server: { type: 'string' },
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export interface GlobalOptions {
  server?: string;
  home?: string;
  json: boolean;
  help: boolean;
  version: boolean;
}

/** A parsed command line: the command (if one was named), its arguments and options, and the global options. */
export interface Invocation {
  command?: Command;
  /** The first word when it names no command. */
  unknown?: string;
  args: string[];
  opts: OptionValues;
  global: GlobalOptions;
}

/** Reads `argv` (without node and the script) with `node:util` parseArgs: global options may come anywhere. */
export function parseInvocation(argv: string[]): Invocation {
  // A first, lenient pass only finds the command words, so the strict pass knows which options are allowed.
  const loose = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
  const words = loose.positionals;
  const command = findCommand(words);
  if (!command) return { unknown: words[0], args: [], opts: {}, global: readGlobal(loose.values) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${usageOf(command)}`);
  }
  const values = parsed.values as OptionValues;
  const global = readGlobal(values);
  const args = parsed.positionals.slice(command.name.split(' ').length);
  if (!global.help) checkArity(command, args);
  return { command, args, opts: values, global };
}

function findCommand(words: string[]): Command | undefined {
  const two = words.slice(0, 2).join(' ');
  return COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === words[0]);
}

function readGlobal(values: Record<string, unknown>): GlobalOptions {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    server: text(values.server),
    home: text(values.home),
    json: values.json === true,
    help: values.help === true,
    version: values.version === true,
  };
}

function checkArity(command: Command, args: string[]): void {
  const required = command.args.filter((a) => !a.startsWith('[')).length;
  if (args.length < required || args.length > command.args.length) {
    const missing = args.length < required ? `missing ${command.args.slice(args.length, required).join(' ')}` : '';
    throw new UsageError(`${missing || 'too many arguments'}\nusage: ${usageOf(command)}`);
  }
}
