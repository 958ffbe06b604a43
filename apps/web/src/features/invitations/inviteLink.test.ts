import { describe, expect, it } from 'vitest';
import { inviteUrl, parseInviteHash } from './inviteLink';

describe('invite links', () => {
  it('round-trips a token through the shared address', () => {
    const url = new URL(inviteUrl('https://salon.example', 'AbC-_09xyz'));
    expect(url.href).toBe('https://salon.example/#invite=AbC-_09xyz');
    expect(parseInviteHash(url.hash)).toBe('AbC-_09xyz');
  });

  it('ignores other fragments, an empty token and broken escapes', () => {
    expect(parseInviteHash('')).toBeNull();
    expect(parseInviteHash('#room=r1')).toBeNull();
    expect(parseInviteHash('#invite=')).toBeNull();
    expect(parseInviteHash('#invite=%E0%A4%A')).toBeNull();
  });
});
