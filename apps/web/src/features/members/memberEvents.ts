import type { EventFrame, Member, Role, User } from '@salon/protocol';
import { isRole } from '../governance/permissions';

/** A member as the panel shows it; the mute is known only from live events (the member list does not carry it). */
export interface MemberView extends Member {
  mutedUntil?: string;
}

export function isUser(value: unknown): value is User {
  if (typeof value !== 'object' || value === null) return false;
  const { id, username, displayName } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof username === 'string' && typeof displayName === 'string';
}

const withoutUser = (members: MemberView[], userId: string) => members.filter((m) => m.user.id !== userId);

function update(members: MemberView[], userId: string, change: Partial<MemberView>): MemberView[] {
  return members.map((m) => (m.user.id === userId ? { ...m, ...change } : m));
}

/**
 * The member list after one room event (`member.*`); other events and malformed ones leave it unchanged
 * (the same array, so React skips the render).
 */
export function applyMemberEvent(members: MemberView[], event: EventFrame, now: Date): MemberView[] {
  const { user } = event;
  if (!isUser(user)) return members;
  switch (event.kind) {
    case 'member.joined': {
      const role: Role = isRole(event.role) ? event.role : 'member';
      return [...withoutUser(members, user.id), { user, role, joinedAt: now.toISOString() }];
    }
    case 'member.left':
    case 'member.kicked':
    case 'member.banned':
      return withoutUser(members, user.id);
    case 'member.role':
      return isRole(event.role) ? update(members, user.id, { user, role: event.role }) : members;
    case 'member.muted':
      return typeof event.until === 'string' ? update(members, user.id, { mutedUntil: event.until }) : members;
    case 'member.unmuted':
      return update(members, user.id, { mutedUntil: undefined });
    default:
      return members;
  }
}

/** Whether a mute is still running. */
export function isMuted(member: MemberView, now: Date): boolean {
  return member.mutedUntil !== undefined && new Date(member.mutedUntil).getTime() > now.getTime();
}

/** A freshly fetched member list, with the mutes already known from events (the list itself has none). */
export function withKnownMutes(fetched: readonly Member[], previous: readonly MemberView[] | null): MemberView[] {
  const mutes = new Map(previous?.flatMap((m) => (m.mutedUntil ? [[m.user.id, m.mutedUntil] as const] : [])));
  return fetched.map((m) => {
    const mutedUntil = mutes.get(m.user.id);
    return mutedUntil ? { ...m, mutedUntil } : { ...m };
  });
}
