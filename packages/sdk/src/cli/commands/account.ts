import type { User } from '@salon/protocol';
import type { SalonClient } from '../../client.js';
import { SalonError } from '../../errors.js';
import type { Command, Context } from '../command.js';
import { EXIT } from '../exit.js';
import { readPassword } from '../input.js';

/** Logs in and saves the session in the profile (mode 0600). */
async function logIn(ctx: Context, client: SalonClient, username: string, password: string): Promise<User> {
  const user = await client.login(username, password);
  ctx.profile.writeSession({ server: client.server, token: client.token!, user });
  const deviceId = client.e2ee?.device?.ref.deviceId;
  if (deviceId !== undefined) ctx.profile.writeDeviceId(deviceId);
  return user;
}

export const register: Command = {
  name: 'register',
  args: ['USERNAME'],
  summary: 'creates the account and logs in (password: SALON_PASSWORD or asked)',
  prints: '{user}',
  async run(ctx) {
    const [username] = ctx.args as [string];
    const password = await readPassword(ctx.env, { confirm: true });
    const { client } = await ctx.secureClient();
    await client.register(username, password);
    const user = await logIn(ctx, client, username, password);
    ctx.out.result({ user }, `registered and logged in as ${user.username}`);
    return EXIT.ok;
  },
};

export const login: Command = {
  name: 'login',
  args: ['USERNAME'],
  summary: 'logs in (password: SALON_PASSWORD or asked)',
  prints: '{user}',
  async run(ctx) {
    const [username] = ctx.args as [string];
    const password = await readPassword(ctx.env);
    const user = await logIn(ctx, (await ctx.secureClient()).client, username, password);
    ctx.out.result({ user }, `logged in as ${user.username}`);
    return EXIT.ok;
  },
};

export const logout: Command = {
  name: 'logout',
  args: [],
  options: { wipe: { type: 'boolean' } },
  optionHelp: [['--wipe', "also delete the profile's keys, group states, decrypted history and last seen seqs"]],
  summary: 'ends the session',
  prints: '-',
  async run(ctx) {
    const session = ctx.profile.readSession();
    try {
      if (session && ctx.opts.wipe) await forgetDevice(ctx);
      if (session) await ctx.client({ withSession: true }).logout();
    } catch (err) {
      // Already ended on the server: the goal is reached.
      if (!(err instanceof SalonError && err.code === 'unauthenticated')) throw err;
    } finally {
      // Even when the server cannot be reached, the local copy of the token goes: it must not outlive the intent.
      ctx.profile.clearSession();
      if (ctx.opts.wipe) ctx.profile.wipe();
    }
    ctx.out.say(session ? 'logged out' : 'not logged in');
    return EXIT.ok;
  },
};

/** Before wiping the keys, unlists the device at the server: with its key gone it can never read again. */
async function forgetDevice(ctx: Context): Promise<void> {
  const deviceId = ctx.profile.deviceId();
  if (deviceId === undefined) return;
  try {
    await ctx.client({ withSession: true }).request('DELETE', `/api/devices/${encodeURIComponent(deviceId)}`);
  } catch {
    // Best effort: the keys go either way; a listed device without keys only delays the next commit.
  }
}

export const whoami: Command = {
  name: 'whoami',
  args: [],
  summary: 'the logged-in user, as the server sees it',
  prints: '{user}',
  async run(ctx) {
    const user = await ctx.client({ withSession: true }).me();
    ctx.out.result({ user }, `${user.username} (${user.displayName}) on ${ctx.servers}`);
    return EXIT.ok;
  },
};
