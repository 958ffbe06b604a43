import { describe, expect, it } from 'vitest';
import { frankingCommitment, frankPayload, openFrankedPayload } from './franking.js';

describe('message franking (E2E-17)', () => {
  it('opens its own payload, and binds the commitment to the exact text', () => {
    const franked = frankPayload('résultats: $\\chi^2 = 3.2$');
    const opened = openFrankedPayload(franked.payload, franked.commitment);
    expect(opened.text).toBe('résultats: $\\chi^2 = 3.2$');
    expect(opened.key).toEqual(franked.key);
    expect(frankingCommitment(franked.key, 'résultats: $\\chi^2 = 3.3$')).not.toEqual(franked.commitment);
  });

  it('uses a fresh key per message: the same text gives different commitments', () => {
    expect(frankPayload('same').commitment).not.toEqual(frankPayload('same').commitment);
  });

  it('refuses a commitment of another message, a flipped text byte, and malformed payloads', () => {
    const a = frankPayload('first');
    const b = frankPayload('second');
    expect(() => openFrankedPayload(a.payload, b.commitment)).toThrow(/commitment/);
    const flipped = a.payload.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(() => openFrankedPayload(flipped, a.commitment)).toThrow();
    expect(() => openFrankedPayload(new Uint8Array([1, 2, 3]), a.commitment)).toThrow(/franked/);
    const badVersion = a.payload.slice();
    badVersion[0] = 9;
    expect(() => openFrankedPayload(badVersion, a.commitment)).toThrow(/franked/);
    const badUtf8 = new Uint8Array([...a.payload.subarray(0, 33), 0xff, 0xfe]);
    expect(() => openFrankedPayload(badUtf8, a.commitment)).toThrow(/UTF-8/);
  });
});
