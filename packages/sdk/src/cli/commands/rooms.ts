import type { Invitation, Room } from '@salon/protocol';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { resolveMember, resolveRoom } from '../resolve.js';

const describeRoom = (room: Room) =>
  `${room.name}  [${room.visibility}${room.encrypted ? ', encrypted' : ''}${room.joined ? `, ${room.role ?? 'member'}` : ''}]  ${room.id}` +
  (room.topic ? `  ${room.topic}` : '');
const describeInvitation = (inv: Invitation) => `${inv.id}  ${inv.room.name}  from ${inv.inviter.username}`;

export const rooms: Command = {
  name: 'rooms',
  args: [],
  summary: "the caller's rooms and the public ones",
  prints: '{room} per line',
  async run(ctx) {
    for (const room of await ctx.client({ withSession: true }).rooms()) ctx.out.result({ room }, describeRoom(room));
    return EXIT.ok;
  },
};

export const roomCreate: Command = {
  name: 'room create',
  args: ['NAME'],
  options: {
    private: { type: 'boolean' },
    topic: { type: 'string' },
    suite: { type: 'string' },
    unencrypted: { type: 'boolean' },
  },
  optionHelp: [
    ['--private', 'members only, by invitation, end-to-end encrypted'],
    ['--topic T', "the room's topic"],
    ['--suite N', 'MLS ciphersuite of a private room: 84 (default, post-quantum X-Wing) or 3 (compact)'],
    ['--unencrypted', 'a private room the server can read (for integrations)'],
  ],
  summary: 'creates a room; the caller owns it',
  prints: '{room}',
  async run(ctx) {
    const [name] = ctx.args as [string];
    const visibility = ctx.opts.private ? 'private' : 'public';
    const topic = typeof ctx.opts.topic === 'string' ? ctx.opts.topic : undefined;
    const suite = ctx.opts.suite === undefined ? undefined : Number(ctx.opts.suite);
    if (suite !== undefined && suite !== 84 && suite !== 3) throw new UsageError('--suite is 84 or 3');
    if ((suite !== undefined || ctx.opts.unencrypted) && !ctx.opts.private) {
      throw new UsageError('--suite and --unencrypted apply to --private rooms (public rooms are never encrypted)');
    }
    const encrypted = ctx.opts.private ? !ctx.opts.unencrypted : undefined;
    const { client } = await ctx.secureClient({ withSession: true });
    const room = await client.createRoom(name, {
      visibility,
      topic,
      ...(encrypted === undefined ? {} : { encrypted }),
      ...(suite === undefined || !encrypted ? {} : { suite }),
    });
    ctx.out.result({ room }, `created ${describeRoom(room)}`);
    return EXIT.ok;
  },
};

export const join: Command = {
  name: 'join',
  args: ['ROOM'],
  summary: 'joins a public room',
  prints: '{room}',
  async run(ctx) {
    const client = ctx.client({ withSession: true });
    const room = await client.joinRoom((await resolveRoom(client, ctx.args[0]!)).id);
    ctx.out.result({ room }, `joined ${describeRoom(room)}`);
    return EXIT.ok;
  },
};

export const leave: Command = {
  name: 'leave',
  args: ['ROOM'],
  summary: 'leaves a room',
  prints: '-',
  async run(ctx) {
    const client = ctx.client({ withSession: true });
    const room = await resolveRoom(client, ctx.args[0]!);
    await client.leaveRoom(room.id);
    ctx.out.say(`left ${room.name}`);
    return EXIT.ok;
  },
};

export const members: Command = {
  name: 'members',
  args: ['ROOM'],
  summary: "a room's members and their roles",
  prints: '{member} per line',
  async run(ctx) {
    const client = ctx.client({ withSession: true });
    const room = await resolveRoom(client, ctx.args[0]!);
    for (const member of await client.members(room.id)) {
      ctx.out.result({ member }, `${member.user.username}  ${member.role}  since ${member.joinedAt}`);
    }
    return EXIT.ok;
  },
};

export const invite: Command = {
  name: 'invite',
  args: ['ROOM', 'USERNAME'],
  summary: 'invites a user to a room',
  prints: '{invitation}',
  async run(ctx) {
    const client = ctx.client({ withSession: true });
    const room = await resolveRoom(client, ctx.args[0]!);
    const invitation = await client.invite(room.id, ctx.args[1]!);
    ctx.out.result({ invitation }, `invited ${ctx.args[1]} to ${room.name} (invitation ${invitation.id})`);
    return EXIT.ok;
  },
};

export const invitations: Command = {
  name: 'invitations',
  args: [],
  summary: 'pending invitations addressed to the caller',
  prints: '{invitation} per line',
  async run(ctx) {
    for (const invitation of await ctx.client({ withSession: true }).invitations()) {
      ctx.out.result({ invitation }, describeInvitation(invitation));
    }
    return EXIT.ok;
  },
};

export const accept: Command = {
  name: 'accept',
  args: ['INVITATION_ID'],
  summary: "accepts an invitation and joins its room (and, if encrypted, the room's group)",
  prints: '{room}',
  async run(ctx) {
    const { client } = await ctx.secureClient({ withSession: true });
    const room = await client.accept(ctx.args[0]!);
    ctx.out.result({ room }, `joined ${describeRoom(room)}`);
    return EXIT.ok;
  },
};

export const decline: Command = {
  name: 'decline',
  args: ['INVITATION_ID'],
  summary: 'declines an invitation',
  prints: '-',
  async run(ctx) {
    await ctx.client({ withSession: true }).decline(ctx.args[0]!);
    ctx.out.say('declined');
    return EXIT.ok;
  },
};

export const kick: Command = {
  name: 'kick',
  args: ['ROOM', 'USERNAME'],
  options: { reason: { type: 'string' } },
  optionHelp: [['--reason R', 'recorded in the audit log']],
  summary: 'removes a member from a room (and, if encrypted, their devices from its group)',
  prints: '-',
  async run(ctx) {
    const { client } = await ctx.secureClient({ withSession: true });
    const room = await resolveRoom(client, ctx.args[0]!);
    const member = await resolveMember(client, room, ctx.args[1]!);
    const reason = typeof ctx.opts.reason === 'string' ? ctx.opts.reason : undefined;
    await client.kick(room.id, member.user.id, reason);
    ctx.out.say(`removed ${member.user.username} from ${room.name}`);
    return EXIT.ok;
  },
};
