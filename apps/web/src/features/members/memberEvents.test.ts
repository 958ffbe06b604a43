import type { EventFrame } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { applyMemberEvent, isMuted, type MemberView, withKnownMutes } from './memberEvents';

const NOW = new Date('2025-03-01T12:00:00Z');
const ada = { id: 'u1', username: 'ada', displayName: 'Ada' };
const bob = { id: 'u2', username: 'bob', displayName: 'Bob' };
const members: MemberView[] = [
  { user: ada, role: 'owner', joinedAt: '2025-01-01T00:00:00Z' },
  { user: bob, role: 'member', joinedAt: '2025-01-02T00:00:00Z' },
];
const event = (kind: string, details: Record<string, unknown>): EventFrame => ({
  type: 'event',
  roomId: 'r1',
  kind,
  ...details,
});

describe('applyMemberEvent', () => {
  it('adds a member who joined, once', () => {
    const cy = { id: 'u3', username: 'cy', displayName: 'Cy' };
    const once = applyMemberEvent(members, event('member.joined', { user: cy, role: 'member' }), NOW);
    const twice = applyMemberEvent(once, event('member.joined', { user: cy, role: 'member' }), NOW);
    expect(twice.map((m) => m.user.id)).toEqual(['u1', 'u2', 'u3']);
    expect(twice[2]).toEqual({ user: cy, role: 'member', joinedAt: NOW.toISOString() });
  });

  it('removes a member who left, was kicked or banned', () => {
    for (const kind of ['member.left', 'member.kicked', 'member.banned']) {
      expect(applyMemberEvent(members, event(kind, { user: bob }), NOW).map((m) => m.user.id)).toEqual(['u1']);
    }
  });

  it('changes a role, and ignores an unknown one', () => {
    expect(applyMemberEvent(members, event('member.role', { user: bob, role: 'moderator' }), NOW)[1]?.role).toBe(
      'moderator',
    );
    expect(applyMemberEvent(members, event('member.role', { user: bob, role: 'king' }), NOW)).toBe(members);
  });

  it('tracks mutes until they end or are lifted', () => {
    const until = '2025-03-01T12:05:00Z';
    const muted = applyMemberEvent(members, event('member.muted', { user: bob, until }), NOW);
    expect(isMuted(muted[1]!, NOW)).toBe(true);
    expect(isMuted(muted[1]!, new Date('2025-03-01T12:06:00Z'))).toBe(false);
    const unmuted = applyMemberEvent(muted, event('member.unmuted', { user: bob, until: null }), NOW);
    expect(isMuted(unmuted[1]!, NOW)).toBe(false);
  });

  it('leaves the list alone for other or malformed events', () => {
    expect(applyMemberEvent(members, event('message.deleted', { seq: 3, by: ada }), NOW)).toBe(members);
    expect(applyMemberEvent(members, event('member.kicked', { user: 'u2' }), NOW)).toBe(members);
  });
});

describe('withKnownMutes', () => {
  it('keeps the mutes learnt from events across a reload of the list', () => {
    const previous: MemberView[] = [{ ...members[1]!, mutedUntil: '2025-03-01T12:05:00Z' }];
    const reloaded = withKnownMutes(members, previous);
    expect(reloaded[0]).toEqual(members[0]);
    expect(reloaded[1]?.mutedUntil).toBe('2025-03-01T12:05:00Z');
    expect(withKnownMutes(members, null)).toEqual(members);
  });
});
