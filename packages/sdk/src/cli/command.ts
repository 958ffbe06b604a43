import type { ParseArgsConfig } from 'node:util';
import type { SalonClient, SalonClientOptions } from '../client.js';
import type { E2eeEngine } from '../e2ee/engine.js';
import type { Output } from './output.js';
import type { Profile, Session } from './profile.js';

export type OptionValues = Record<string, string | boolean | undefined>;

/** What a command gets to work with. */
export interface Context {
  /** Positional arguments after the command's own words. */
  args: string[];
  opts: OptionValues;
  out: Output;
  profile: Profile;
  env: NodeJS.ProcessEnv;
  /** The server URL(s) setting, resolved from flag, environment, session and default. */
  servers: string;
  /** The saved session; throws `unauthenticated` (exit 3) when there is none. */
  session(): Session;
  /** A client on the configured servers, with the session's token when `withSession`. */
  client(opts?: { withSession?: boolean } & Partial<SalonClientOptions>): SalonClient;
  /** The same, with end-to-end encryption on (the profile's key store opened, its device loaded). */
  secureClient(
    opts?: { withSession?: boolean } & Partial<SalonClientOptions>,
  ): Promise<{ client: SalonClient; engine: E2eeEngine }>;
}

/** One `salon` command: how it is called, what it prints, and what it does. */
export interface Command {
  /** One or two words: `rooms`, `room create`. */
  name: string;
  /** Positional arguments; `[X]` marks an optional one. */
  args: string[];
  /** Options beyond the global ones. */
  options?: NonNullable<ParseArgsConfig['options']>;
  /** One line per option for `--help`: `['--topic T', 'the room topic']`. */
  optionHelp?: Array<[string, string]>;
  summary: string;
  /** What `--json` prints. */
  prints: string;
  /** More help text (a paragraph). */
  details?: string;
  run(ctx: Context): Promise<number | undefined>;
}
