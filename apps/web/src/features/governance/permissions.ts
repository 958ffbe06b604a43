import type { Role } from '@salon/protocol';

/**
 * The client's copy of the role -> abilities table (docs/permissions.md). It only decides which actions the UI
 * offers; the server checks every request against its own table anyway.
 */
export type Ability =
  | 'room.read'
  | 'message.send'
  | 'room.leave'
  | 'invitation.create'
  | 'invitation.revoke'
  | 'link.create'
  | 'member.kick'
  | 'member.ban'
  | 'member.mute'
  | 'message.delete_any'
  | 'room.update'
  | 'member.set_role'
  | 'room.transfer'
  | 'room.delete'
  | 'room.set_retention'
  | 'audit.view';

/** Roles from most to least powerful. */
export const ROLES = ['owner', 'admin', 'moderator', 'member'] as const satisfies readonly Role[];

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
const OWNER: readonly Ability[] = [...ADMIN.filter((a) => a !== 'room.leave'), 'room.transfer', 'room.delete'];

export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Ability>>> = {
  owner: new Set(OWNER),
  admin: new Set(ADMIN),
  moderator: new Set(MODERATOR),
  member: new Set(MEMBER),
};

const RANK: Readonly<Record<Role, number>> = { owner: 3, admin: 2, moderator: 1, member: 0 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether a member with this role (undefined: not a member) holds the ability. */
export function can(role: Role | undefined, ability: Ability): boolean {
  return role !== undefined && PERMISSIONS[role].has(ability);
}

/** Moderation acts only on members strictly below oneself. */
export function outranks(mine: Role | undefined, theirs: Role): boolean {
  return mine !== undefined && RANK[mine] > RANK[theirs];
}

/** Roles one may give to a member below oneself: those below one's own, and "owner" for a transfer. */
export function assignableRoles(mine: Role | undefined): Role[] {
  if (!can(mine, 'member.set_role')) return [];
  const below = ROLES.filter((role) => outranks(mine, role));
  return can(mine, 'room.transfer') ? ['owner', ...below] : below;
}

export type MemberActions = ReturnType<typeof memberActions>;

/** Which actions of the member menu this role may take on that member (nothing on oneself or one's betters). */
export function memberActions(mine: Role | undefined, target: Role, isSelf: boolean) {
  const allowed = !isSelf && outranks(mine, target);
  return {
    setRole: allowed && can(mine, 'member.set_role'),
    kick: allowed && can(mine, 'member.kick'),
    ban: allowed && can(mine, 'member.ban'),
    mute: allowed && can(mine, 'member.mute'),
  };
}

/** Members by role (owner first), then by display name. */
export function compareByRole<T extends { role: Role; user: { displayName: string } }>(a: T, b: T): number {
  return RANK[b.role] - RANK[a.role] || a.user.displayName.localeCompare(b.user.displayName);
}
