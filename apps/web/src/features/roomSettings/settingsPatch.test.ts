import type { Room } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { initialSettings, RETENTION_FOREVER, settingsPatch } from './settingsPatch';

const room: Room = {
  id: 'r1',
  name: 'Lab',
  visibility: 'public',
  topic: 'Spectra',
  encrypted: false,
  createdAt: '2025-01-01T00:00:00Z',
  lastSeq: 4,
  role: 'owner',
  joined: true,
};
const all = { update: true, retention: true };

describe('settingsPatch', () => {
  it('is empty when nothing changed', () => {
    expect(settingsPatch(room, initialSettings(room), all)).toEqual({});
  });

  it('holds only the changed fields, trimmed', () => {
    const form = { ...initialSettings(room), name: ' Lab 2 ', topic: 'Spectra', visibility: 'private' as const };
    expect(settingsPatch(room, form, all)).toEqual({ name: 'Lab 2', visibility: 'private' });
  });

  it('sends retention as seconds, or null to keep messages forever', () => {
    expect(settingsPatch(room, { ...initialSettings(room), retention: '86400' }, all)).toEqual({
      retentionSeconds: 86400,
    });
    expect(settingsPatch(room, { ...initialSettings(room), retention: RETENTION_FOREVER }, all)).toEqual({
      retentionSeconds: null,
    });
  });

  it('leaves out what the role may not change', () => {
    const form = { ...initialSettings(room), topic: 'New', retention: '86400' };
    expect(settingsPatch(room, form, { update: false, retention: true })).toEqual({ retentionSeconds: 86400 });
    expect(settingsPatch(room, form, { update: true, retention: false })).toEqual({ topic: 'New' });
  });
});
