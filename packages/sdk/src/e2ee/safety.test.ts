import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fingerprint, safetyNumber } from './safety.js';

const key = () => ed25519.getPublicKey(ed25519.utils.randomSecretKey());

describe('safety numbers (issue item 6, SPEC E2E-5)', () => {
  it('E2E-5: both sides compute the same 60 digits, whatever the device order', () => {
    const [a1, a2, b1] = [key(), key(), key()];
    const fromAlice = safetyNumber({ userId: 'alice', keys: [a1, a2] }, { userId: 'bob', keys: [b1] });
    const fromBob = safetyNumber({ userId: 'bob', keys: [b1] }, { userId: 'alice', keys: [a2, a1] });
    expect(fromAlice).toEqual(fromBob);
    expect(fromAlice.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(fromAlice.qr).toMatch(/^salon-safety:1:alice:[0-9a-f]{64}:bob:[0-9a-f]{64}$/);
  });

  it('E2E-5: a substituted or added device key changes the number', () => {
    const [a1, b1, b2] = [key(), key(), key()];
    const base = safetyNumber({ userId: 'alice', keys: [a1] }, { userId: 'bob', keys: [b1] }).safetyNumber;
    expect(safetyNumber({ userId: 'alice', keys: [a1] }, { userId: 'bob', keys: [b2] }).safetyNumber).not.toBe(base);
    expect(safetyNumber({ userId: 'alice', keys: [a1] }, { userId: 'bob', keys: [b1, b2] }).safetyNumber).not.toBe(
      base,
    );
  });

  it('fingerprints are SHA-256 in groups of four hex digits', () => {
    expect(fingerprint(new Uint8Array(32))).toBe(
      '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925'.match(/.{4}/g)!.join(' '),
    );
  });
});
