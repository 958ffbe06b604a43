import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Ability, assignableRoles, can, compareByRole, memberActions, PERMISSIONS, ROLES } from './permissions';

/** The table of docs/permissions.md, as role -> abilities marked "yes". */
function documentedTable(): Map<string, Set<string>> {
  const text = readFileSync(fileURLToPath(new URL('../../../../../docs/permissions.md', import.meta.url)), 'utf8');
  const rows = text.split('\n').filter((line) => /^\|\s*`/.test(line));
  const table = new Map<string, Set<string>>(ROLES.map((role) => [role, new Set()]));
  for (const row of rows) {
    const [ability, ...cells] = row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    cells.forEach((cell, i) => {
      if (cell === 'yes') table.get(ROLES[i]!)!.add(ability!.replaceAll('`', ''));
    });
  }
  return table;
}

describe('client permission table', () => {
  it('matches docs/permissions.md', () => {
    const documented = documentedTable();
    for (const role of ROLES) expect([...PERMISSIONS[role]].sort()).toEqual([...documented.get(role)!].sort());
  });

  it('gives a non-member nothing', () => {
    expect(can(undefined, 'room.read' satisfies Ability)).toBe(false);
  });
});

describe('assignableRoles', () => {
  it('offers the owner a transfer and every role below', () => {
    expect(assignableRoles('owner')).toEqual(['owner', 'admin', 'moderator', 'member']);
  });

  it('offers an admin only the roles below admin', () => {
    expect(assignableRoles('admin')).toEqual(['moderator', 'member']);
  });

  it('offers nothing to roles that cannot set roles', () => {
    expect(assignableRoles('moderator')).toEqual([]);
    expect(assignableRoles(undefined)).toEqual([]);
  });
});

describe('memberActions', () => {
  it('lets a moderator kick and mute a member, but not ban or change roles', () => {
    expect(memberActions('moderator', 'member', false)).toEqual({ setRole: false, kick: true, ban: false, mute: true });
  });

  it('allows nothing on oneself, an equal or a better', () => {
    const none = { setRole: false, kick: false, ban: false, mute: false };
    expect(memberActions('owner', 'owner', true)).toEqual(none);
    expect(memberActions('admin', 'admin', false)).toEqual(none);
    expect(memberActions('admin', 'owner', false)).toEqual(none);
  });
});

describe('compareByRole', () => {
  it('sorts by role, then by name', () => {
    const m = (role: (typeof ROLES)[number], displayName: string) => ({ role, user: { displayName } });
    const sorted = [m('member', 'Bea'), m('owner', 'Zed'), m('member', 'Al'), m('moderator', 'Cy')].sort(compareByRole);
    expect(sorted.map((x) => x.user.displayName)).toEqual(['Zed', 'Cy', 'Al', 'Bea']);
  });
});
