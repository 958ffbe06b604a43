import { can, ROLE_RANK as RANK, type Role } from '@salon/protocol';

export { type Ability, can, PERMISSIONS } from '@salon/protocol';

/** Roles from most to least powerful. */
export const ROLES = ['owner', 'admin', 'moderator', 'member'] as const satisfies readonly Role[];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
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
