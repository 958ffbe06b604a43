import type { Room } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { initialSettings, RETENTION_OFF, settingsPatch } from './settingsPatch';

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
    const withRetention = { ...room, retentionSeconds: 3600 };
    expect(settingsPatch(withRetention, initialSettings(withRetention), all)).toEqual({});
  });

  it('starts from the room’s current retention', () => {
    expect(initialSettings(room).retention).toBe(RETENTION_OFF);
    expect(initialSettings({ ...room, retentionSeconds: 30 }).retention).toBe('30');
  });

  it('holds only the changed fields, trimmed', () => {
    const form = { ...initialSettings(room), name: ' Lab 2 ', topic: 'Spectra', visibility: 'private' as const };
    expect(settingsPatch(room, form, all)).toEqual({ name: 'Lab 2', visibility: 'private' });
  });

  it('sends retention as seconds, or null to turn it off', () => {
    expect(settingsPatch(room, { ...initialSettings(room), retention: '86400' }, all)).toEqual({
      retentionSeconds: 86400,
    });
    const withRetention = { ...room, retentionSeconds: 30 };
    expect(settingsPatch(withRetention, { ...initialSettings(withRetention), retention: RETENTION_OFF }, all)).toEqual({
      retentionSeconds: null,
    });
    expect(settingsPatch(withRetention, { ...initialSettings(withRetention), retention: '300' }, all)).toEqual({
      retentionSeconds: 300,
    });
  });

  it('never sends a retention the server refuses', () => {
    for (const retention of ['29', '31536001', '1.5', 'soon']) {
      expect(settingsPatch(room, { ...initialSettings(room), retention }, all)).toEqual({});
    }
  });

  it('leaves out what the role may not change', () => {
    const form = { ...initialSettings(room), topic: 'New', retention: '86400' };
    expect(settingsPatch(room, form, { update: false, retention: true })).toEqual({ retentionSeconds: 86400 });
    expect(settingsPatch(room, form, { update: true, retention: false })).toEqual({ topic: 'New' });
  });
});
