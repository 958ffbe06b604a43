import type { User } from '@salon/protocol';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { parseCount, resolveRoom } from '../resolve.js';

export const devices: Command = {
  name: 'devices',
  args: ['[USERNAME]'],
  summary: "a user's devices (default: your own) with the fingerprints of their keys, computed here",
  prints: '{device} per line',
  async run(ctx) {
    const { engine } = await ctx.secureClient({ withSession: true });
    const who = ctx.args[0] ?? ctx.session().user.id;
    const { devices: list } = await engine.listDevices(who);
    for (const device of list) {
      const marks = [device.current ? 'this device' : '', device.verified ? 'verified' : ''].filter(Boolean);
      const suffix = marks.length ? `  (${marks.join(', ')})` : '';
      ctx.out.result({ device }, `${device.id}  ${device.name}  ${device.fingerprint}${suffix}`);
    }
    return EXIT.ok;
  },
};

export const verify: Command = {
  name: 'verify',
  args: ['USERNAME'],
  options: { confirm: { type: 'boolean' } },
  optionHelp: [['--confirm', 'mark the user verified (after comparing the number with them out of band)']],
  summary: 'shows the safety number you share with a user; --confirm marks them verified',
  details:
    'Compare the 60 digits with the other person (in person or on a call). Once confirmed, only the devices they ' +
    'had at that moment are accepted in encrypted rooms; a device added later shows a warning until you verify again.',
  prints: '{safetyNumber, verified}',
  async run(ctx) {
    const { client, engine } = await ctx.secureClient({ withSession: true });
    const self = ctx.session().user;
    const res = await client.request<{ user?: User; devices: unknown[] }>(
      'GET',
      `/api/users/${encodeURIComponent(ctx.args[0]!.trim().toLowerCase())}/devices`,
    );
    const other = res.user ?? { id: ctx.args[0]!, username: ctx.args[0]!, displayName: ctx.args[0]! };
    let number = await engine.safetyNumber(self, other);
    if (ctx.opts.confirm && !number.verified) {
      await engine.confirmVerified(other, number.keys);
      number = { ...number, verified: true };
    }
    const text = [
      `Safety number with ${other.username}:`,
      `  ${number.safetyNumber.split(' ').slice(0, 6).join(' ')}`,
      `  ${number.safetyNumber.split(' ').slice(6).join(' ')}`,
      `QR payload: ${number.qr}`,
      number.verified ? 'verified' : `not verified (compare, then: salon verify ${other.username} --confirm)`,
    ].join('\n');
    ctx.out.result({ safetyNumber: number.safetyNumber, verified: number.verified }, text);
    return EXIT.ok;
  },
};

export const report: Command = {
  name: 'report',
  args: ['ROOM', 'SEQ'],
  options: { reason: { type: 'string' } },
  optionHelp: [['--reason R', 'why, for the moderators (at most 500 characters)']],
  summary: "reports an encrypted room's message to its moderators, with proof that its sender sent it",
  details:
    "The text and the message's franking key are revealed to the server and the room's moderators, who can " +
    'check that the sender committed to exactly this text (a forged report is refused). Only a message this ' +
    'device read and verified can be reported.',
  prints: '{report}',
  async run(ctx) {
    const seq = parseCount(ctx.args[1], 'SEQ');
    if (seq === undefined || seq < 1) throw new UsageError('SEQ must be a message number');
    const { client, engine } = await ctx.secureClient({ withSession: true });
    const room = await resolveRoom(client, ctx.args[0]!);
    // Read the room up to the message, so this device has decrypted it (and kept its franking key).
    await client.history(room.id, { after: seq - 1, limit: 1 });
    const reason = typeof ctx.opts.reason === 'string' ? ctx.opts.reason : undefined;
    const filed = await engine.report(room.id, seq, reason);
    ctx.out.result({ report: filed }, `reported #${seq} in ${room.name} to its moderators`);
    return EXIT.ok;
  },
};
