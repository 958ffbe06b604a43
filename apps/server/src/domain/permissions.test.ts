import { readFileSync } from 'node:fs';
import { RoleSchema } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { ABILITIES, can, PERMISSIONS } from './permissions.js';

const doc = readFileSync(new URL('../../../../docs/permissions.md', import.meta.url), 'utf8');

describe('the permission table', () => {
  it('is the one documented in docs/permissions.md, cell for cell', () => {
    const roles = RoleSchema.options;
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    const documented = rows.map((l) =>
      l
        .split('|')
        .map((c) => c.trim())
        .slice(1, -1),
    );
    expect(documented.map((r) => r[0]?.replaceAll('`', ''))).toEqual([...ABILITIES]);
    for (const [ability, ...cells] of documented) {
      const name = ability!.replaceAll('`', '') as (typeof ABILITIES)[number];
      expect(cells, name).toEqual(roles.map((role) => (PERMISSIONS[role].has(name) ? 'yes' : '-')));
    }
  });

  it('gives nothing to non-members and ranks roles by inclusion (owner aside from leaving)', () => {
    for (const ability of ABILITIES) expect(can(null, ability)).toBe(false);
    for (const ability of PERMISSIONS.member)
      if (ability !== 'room.leave') expect(can('moderator', ability)).toBe(true);
    for (const ability of PERMISSIONS.moderator) expect(can('admin', ability)).toBe(true);
    for (const ability of PERMISSIONS.admin) if (ability !== 'room.leave') expect(can('owner', ability)).toBe(true);
    expect(can('owner', 'room.leave')).toBe(false);
    expect(can('admin', 'room.delete')).toBe(false);
  });
});
