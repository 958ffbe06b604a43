import type { SecurityAlert } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { markAcknowledged, mergeAlert } from './alerts';

const alert = (id: string, acknowledgedAt: string | null = null): SecurityAlert => ({
  id,
  rule: 'messageFlood',
  severity: 'medium',
  summary: 'message flood in a room',
  response: 'muted',
  userId: null,
  ip: null,
  roomId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  acknowledgedAt,
});

describe('alert list updates', () => {
  it('puts a live alert first, once, even when the fetch already had it', () => {
    const list = [alert('a')];
    expect(mergeAlert(list, alert('b')).map((a) => a.id)).toEqual(['b', 'a']);
    expect(mergeAlert(list, alert('a'))).toBe(list);
  });

  it('acknowledges one alert and keeps an earlier acknowledgement', () => {
    const list = [alert('a'), alert('b', 'earlier')];
    const next = markAcknowledged(list, 'a', 'now');
    expect(next.map((a) => a.acknowledgedAt)).toEqual(['now', 'earlier']);
    expect(markAcknowledged(list, 'b', 'now')[1]!.acknowledgedAt).toBe('earlier');
  });
});
