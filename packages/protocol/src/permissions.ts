import type { Role } from './entities.js';

/** Everything a member may be allowed to do in a room. */
export const ABILITIES = [
  'room.read',
  'message.send',
  'room.leave',
  'invitation.create',
  'invitation.revoke',
  'link.create',
  'member.kick',
  'member.ban',
  'member.mute',
  'message.delete_any',
  'room.update',
  'member.set_role',
  'room.transfer',
  'room.delete',
  'room.set_retention',
  'audit.view',
] as const;
export type Ability = (typeof ABILITIES)[number];

const MEMBER: readonly Ability[] = ['room.read', 'message.send', 'room.leave'];
const MODERATOR: readonly Ability[] = [...MEMBER, 'member.kick', 'member.mute', 'message.delete_any'];
const ADMIN: readonly Ability[] = [
  ...MODERATOR,
  'invitation.create',
  'invitation.revoke',
  'link.create',
  'member.ban',
  'room.update',
  'member.set_role',
  'room.set_retention',
  'audit.view',
];
/** The owner may not leave: ownership must be transferred first, so no room is left without one. */
const OWNER: readonly Ability[] = [...ADMIN.filter((a) => a !== 'room.leave'), 'room.transfer', 'room.delete'];

/**
 * The one permission table: role -> abilities. The server consults it on every REST route and WebSocket frame;
 * the web client uses the same table only to decide which actions to offer.
 */
export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Ability>>> = {
  owner: new Set(OWNER),
  admin: new Set(ADMIN),
  moderator: new Set(MODERATOR),
  member: new Set(MEMBER),
};

/** Roles from most to least powerful. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { owner: 3, admin: 2, moderator: 1, member: 0 };

/** Whether a member with this role (a non-member: null or undefined) holds the ability. */
export function can(role: Role | null | undefined, ability: Ability): boolean {
  return role !== null && role !== undefined && PERMISSIONS[role].has(ability);
}
