import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { encodeText } from './encoding.js';

/**
 * Where the E2EE engine keeps its secrets (device key, group states, decrypted history, verified keys): named
 * byte blobs. The CLI stores them in the profile folder, the web client will use IndexedDB; both wrap them in
 * `SealedKeyStore` so nothing is readable at rest without the key.
 */
export interface KeyStore {
  get(name: string): Promise<Uint8Array | undefined>;
  put(name: string, bytes: Uint8Array): Promise<void>;
  delete(name: string): Promise<void>;
  /**
   * Runs `op` while no other holder of the same store (another process on the same profile) runs one, so two
   * processes never both advance one MLS state from the same copy (threat: a reused message key and nonce).
   */
  exclusive<T>(op: () => Promise<T>): Promise<T>;
}

/** In-process mutex: ops run one after another. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A store in memory (tests, and a browser tab that keeps nothing). */
export class MemoryKeyStore implements KeyStore {
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly mutex = new Mutex();
  async get(name: string) {
    return this.blobs.get(name)?.slice();
  }
  async put(name: string, bytes: Uint8Array) {
    this.blobs.set(name, bytes.slice());
  }
  async delete(name: string) {
    this.blobs.delete(name);
  }
  exclusive<T>(op: () => Promise<T>): Promise<T> {
    return this.mutex.run(op);
  }
}

const NONCE_BYTES = 24;

/**
 * Encrypts every blob with XChaCha20-Poly1305 under one 32-byte key; the blob's name is the associated data, so
 * a blob copied under another name (e.g. one room's state swapped for another's) fails to open.
 */
export class SealedKeyStore implements KeyStore {
  constructor(
    private readonly inner: KeyStore,
    private readonly key: Uint8Array,
  ) {
    if (key.length !== 32) throw new RangeError('the store key must be 32 bytes');
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const sealed = await this.inner.get(name);
    if (sealed === undefined) return undefined;
    if (sealed.length < NONCE_BYTES + 16) throw new StoreKeyError(`stored ${name} is truncated`);
    const nonce = sealed.subarray(0, NONCE_BYTES);
    try {
      return xchacha20poly1305(this.key, nonce, encodeText(name)).decrypt(sealed.subarray(NONCE_BYTES));
    } catch {
      throw new StoreKeyError(`cannot open ${name}: wrong passphrase or altered file`);
    }
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = xchacha20poly1305(this.key, nonce, encodeText(name)).encrypt(bytes);
    const out = new Uint8Array(NONCE_BYTES + sealed.length);
    out.set(nonce);
    out.set(sealed, NONCE_BYTES);
    await this.inner.put(name, out);
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(name);
  }

  exclusive<T>(op: () => Promise<T>): Promise<T> {
    return this.inner.exclusive(op);
  }
}

/** The store's key cannot open a blob: a wrong passphrase, or a file altered at rest. */
export class StoreKeyError extends Error {
  override readonly name = 'StoreKeyError';
}

/** Argon2id parameters; stored beside the salt so they can be raised later without breaking old profiles. */
export interface KdfParams {
  /** Memory in KiB. */
  m: number;
  /** Passes. */
  t: number;
  /** Lanes. */
  p: number;
}

/**
 * 19 MiB, 2 passes, 1 lane: OWASP's recommended Argon2id floor. Every CLI command derives the key once, and in
 * pure JavaScript 64 MiB x 2 took 2.2 s per command on the reference machine against 0.6 s for this; the
 * parameters are stored per profile, so they can be raised later without breaking existing profiles.
 */
export const DEFAULT_KDF: KdfParams = { m: 19 * 1024, t: 2, p: 1 };

/** Derives the 32-byte store key from a passphrase (Argon2id, RFC 9106). */
export function deriveStoreKey(passphrase: string, salt: Uint8Array, params: KdfParams = DEFAULT_KDF) {
  return argon2idAsync(encodeText(passphrase.normalize('NFKC')), salt, { ...params, dkLen: 32 });
}
