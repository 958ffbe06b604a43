import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { xchachaNonce, xchachaOpen, xchachaSeal } from './xchacha.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('XChaCha20-Poly1305 on the native cipher', () => {
  it('matches the test vector of draft-irtf-cfrg-xchacha (A.3.1)', () => {
    const plaintext = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const expected = hex(`
      bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb
      96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e
      c0875924c1c7987947deafd8780acf49`);
    expect(xchachaSeal(key, nonce, plaintext, aad).toString('hex')).toBe(expected.toString('hex'));
    expect(xchachaOpen(key, nonce, expected, aad).toString()).toBe(plaintext.toString());
  });

  it('seals what the JavaScript implementation opens, and opens what it seals', () => {
    for (const size of [0, 1, 15, 16, 17, 63, 64, 65, 1000, 70_000]) {
      const key = randomBytes(32);
      const nonce = randomBytes(24);
      const aad = randomBytes(size % 40);
      const plaintext = randomBytes(size);
      const native = xchachaSeal(key, nonce, plaintext, aad);
      const js = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
      expect(native.equals(Buffer.from(js))).toBe(true);
      expect(Buffer.from(xchacha20poly1305(key, nonce, aad).decrypt(native)).equals(plaintext)).toBe(true);
      expect(xchachaOpen(key, nonce, js, aad).equals(plaintext)).toBe(true);
    }
  });

  it('refuses an altered ciphertext, tag, AAD, nonce or key', () => {
    const key = randomBytes(32);
    const nonce = randomBytes(24);
    const aad = Buffer.from('salon/body/v1|room|1');
    const sealed = xchachaSeal(key, nonce, Buffer.from('the result holds'), aad);
    const flip = (b: Buffer, i: number) => {
      const copy = Buffer.from(b);
      copy[i]! ^= 1;
      return copy;
    };
    expect(() => xchachaOpen(key, nonce, flip(sealed, 0), aad)).toThrow();
    expect(() => xchachaOpen(key, nonce, flip(sealed, sealed.length - 1), aad)).toThrow();
    expect(() => xchachaOpen(key, nonce, sealed, Buffer.from('salon/body/v1|room|2'))).toThrow();
    expect(() => xchachaOpen(key, flip(nonce, 3), sealed, aad)).toThrow();
    expect(() => xchachaOpen(key, flip(nonce, 20), sealed, aad)).toThrow();
    expect(() => xchachaOpen(flip(key, 31), nonce, sealed, aad)).toThrow();
    expect(() => xchachaOpen(key, nonce, sealed.subarray(0, 15), aad)).toThrow(/shorter than its tag/);
    expect(() => xchachaSeal(key.subarray(0, 16), nonce, Buffer.alloc(1), aad)).toThrow(/32-byte key/);
    expect(() => xchachaSeal(key, nonce.subarray(0, 12), Buffer.alloc(1), aad)).toThrow(/24-byte nonce/);
  });

  it('hands out fresh 24-byte nonces, across refills of its pool, that later draws never change', () => {
    const nonces = Array.from({ length: 1000 }, () => xchachaNonce());
    const copies = nonces.map((n) => n.toString('hex'));
    for (let i = 0; i < 1000; i++) xchachaNonce();
    expect(nonces.every((n) => n.length === 24)).toBe(true);
    expect(new Set(copies).size).toBe(1000);
    expect(nonces.map((n) => n.toString('hex'))).toEqual(copies);
    expect(copies).not.toContain('00'.repeat(24));
  });
});
