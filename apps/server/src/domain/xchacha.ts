import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) on OpenSSL's ChaCha20-Poly1305: HChaCha20 turns the key and the
 * first 16 bytes of the 24-byte nonce into a subkey, which seals with the IETF construction (RFC 8439) under the
 * nonce's last 8 bytes. The output is the ciphertext followed by its 16-byte tag, as `@noble/ciphers`'
 * `xchacha20poly1305` writes it (the two open each other's output; `xchacha.test.ts`). Bodies are sealed on every
 * send: the native cipher costs a fraction of the JavaScript one and allocates almost nothing.
 */

export const XCHACHA_KEY = 32;
export const XCHACHA_NONCE = 24;
const TAG = 16;
/** "expand 32-byte k", as little-endian words. */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

/** Random bytes drawn a few kilobytes at a time: one system call per 170 nonces instead of one each. */
const pool = Buffer.alloc(XCHACHA_NONCE * 170);
let poolAt = pool.length;

/** A fresh random 24-byte nonce (each byte of the pool is handed out once). */
export function xchachaNonce(): Buffer {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const nonce = Buffer.from(pool.subarray(poolAt, poolAt + XCHACHA_NONCE));
  pool.fill(0, poolAt, poolAt + XCHACHA_NONCE);
  poolAt += XCHACHA_NONCE;
  return nonce;
}

function littleEndianWords(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = new Uint32Array(bytes.byteLength / 4);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(4 * i, true);
  return words;
}

/** The IETF key and nonce for a key and an extended nonce. */
function derive(key: Uint8Array, nonce: Uint8Array): { subkey: Buffer; iv: Buffer } {
  if (key.byteLength !== XCHACHA_KEY) throw new Error('XChaCha20-Poly1305 takes a 32-byte key');
  if (nonce.byteLength !== XCHACHA_NONCE) throw new Error('XChaCha20-Poly1305 takes a 24-byte nonce');
  const words = new Uint32Array(8);
  hchacha(SIGMA, littleEndianWords(key), littleEndianWords(nonce.subarray(0, 16)), words);
  const subkey = Buffer.allocUnsafe(XCHACHA_KEY);
  for (let i = 0; i < 8; i++) subkey.writeUInt32LE(words[i]!, 4 * i);
  const iv = Buffer.alloc(12);
  iv.set(nonce.subarray(16), 4);
  return { subkey, iv };
}

/** Ciphertext || tag. */
export function xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const { subkey, iv } = derive(key, nonce);
  const cipher = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG });
  cipher.setAAD(aad, { plaintextLength: plaintext.byteLength });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext of `sealed` (ciphertext || tag); throws when it was altered or sealed under another key or AAD. */
export function xchachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.byteLength < TAG) throw new Error('sealed data shorter than its tag');
  const { subkey, iv } = derive(key, nonce);
  const decipher = createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG });
  const body = sealed.subarray(0, sealed.byteLength - TAG);
  decipher.setAAD(aad, { plaintextLength: body.byteLength });
  decipher.setAuthTag(sealed.subarray(sealed.byteLength - TAG));
  return Buffer.concat([decipher.update(body), decipher.final()]);
}
