import type { EventFrame } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { removalOf } from './removal';

const me = { id: 'me', username: 'me', displayName: 'Me' };
const mod = { id: 'mod', username: 'mod', displayName: 'Mod' };
const event = (kind: string, details: Record<string, unknown>): EventFrame => ({
  type: 'event',
  roomId: 'r1',
  kind,
  ...details,
});

describe('removalOf', () => {
  it('reports a kick or ban of the current user, with who and why', () => {
    expect(removalOf(event('member.kicked', { user: me, by: mod, reason: 'spam' }), 'me')).toEqual({
      kind: 'kicked',
      roomId: 'r1',
      by: mod,
      reason: 'spam',
    });
    expect(removalOf(event('member.banned', { user: me, by: mod, reason: '  ' }), 'me')).toEqual({
      kind: 'banned',
      roomId: 'r1',
      by: mod,
      reason: undefined,
    });
  });

  it('ignores the removal of someone else', () => {
    expect(removalOf(event('member.kicked', { user: mod, by: me }), 'me')).toBeNull();
  });

  it('reports a deleted room, unless the current user deleted it', () => {
    expect(removalOf(event('room.deleted', { by: mod }), 'me')?.kind).toBe('deleted');
    expect(removalOf(event('room.deleted', { by: me }), 'me')).toBeNull();
  });

  it('ignores other events', () => {
    expect(removalOf(event('member.role', { user: me, role: 'admin' }), 'me')).toBeNull();
  });
});
