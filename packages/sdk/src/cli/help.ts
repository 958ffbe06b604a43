import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';

/** The server when neither --server, SALON_SERVER nor a saved session names one (CLI.md). */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** `NAME ARGS [--option VALUE]...` */
export function usageOf(command: Command): string {
  const options = (command.optionHelp ?? []).map(([flag]) => `[${flag}]`);
  return ['salon', command.name, ...command.args, ...options].join(' ');
}

/** `salon --help`. */
export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args.join(' ')}`.length));
  const lines = COMMANDS.map((c) => `  ${`${c.name} ${c.args.join(' ')}`.padEnd(width)}  ${c.summary}`);
  return `salon: Salon's command line (a thin shell over @salon/sdk)

Usage: salon [--server URL] [--home DIR] [--json] COMMAND [ARGS]
       salon COMMAND --help

Commands:
${lines.join('\n')}

ROOM is a room id or a room name (names are unique).

Settings:
  --server URL  or SALON_SERVER    server URL; several, comma-separated, are used round-robin when one fails
                                   (default: the server of the saved session, else ${DEFAULT_SERVER})
  --home DIR    or SALON_HOME      profile folder: session token, device keys, group states, decrypted
                                   history, last seen seqs (default ~/.salon)
  SALON_PASSWORD                   the password (never a flag); asked on the terminal when unset
  SALON_PASSPHRASE                 encrypts the profile's keys at rest (Argon2id + XChaCha20-Poly1305); asked
                                   on the terminal when unset, else keys are stored unencrypted with a warning
  --json                           one JSON object per line on standard output; errors as JSON on standard error

Private rooms use end-to-end encryption (MLS); history and tail print each message's status: ok, gap (text
shown, but an earlier message is missing or reordered), unverified (failed a check: no text) or undecryptable
(sent before this device joined). Compare safety numbers with salon verify USERNAME.

Exit codes: 0 done, 1 wrong usage, 2 the server refused (its error code is printed, e.g. not_found),
            3 not logged in or session expired, 4 a cryptographic check failed, 5 the server could not be
            reached.
`;
}

/** `salon COMMAND --help`. */
export function commandHelp(command: Command): string {
  const options = (command.optionHelp ?? []).map(([flag, what]) => `  ${flag.padEnd(14)}  ${what}`);
  return [
    `Usage: ${usageOf(command)}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...(options.length ? ['', 'Options:', ...options] : []),
    '',
    `--json prints: ${command.prints}`,
    'Global options: --server URL, --home DIR, --json (see salon --help)',
    '',
  ].join('\n');
}
