import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  type CryptoProvider,
  defaultCryptoProvider,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
} from 'ts-mls';
import { SalonCryptoError } from './errors.js';

/** The two MLS ciphersuites Salon allows; the id is the IANA code point (RFC 9420 §17.1). */
export const SUITES = {
  /** Default: X-Wing (X25519 + ML-KEM-768) so recorded traffic stays safe if either half breaks. */
  84: 'MLS_256_XWING_CHACHA20POLY1305_SHA512_Ed25519',
  /** Compact: classical X25519, 8x smaller commits, for very large rooms or weak devices. */
  3: 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519',
} as const satisfies Record<number, CiphersuiteName>;

/** A ciphersuite id Salon accepts. */
export type SuiteId = keyof typeof SUITES;

/** The suite a room gets when its creator does not choose. */
export const DEFAULT_SUITE: SuiteId = 84;

/** Narrows a number to an allowed suite id (rooms store the id; anything else is refused). */
export function isSuiteId(id: number): id is SuiteId {
  return id === 84 || id === 3;
}

/**
 * Maps a library suite name back to a Salon suite id, refusing every other suite
 * (threat: a Welcome or GroupInfo that downgrades a room to a suite Salon never reviewed).
 */
export function suiteIdFromName(name: CiphersuiteName): SuiteId {
  if (name === SUITES[84]) return 84;
  if (name === SUITES[3]) return 3;
  throw new SalonCryptoError('invalid_argument', `ciphersuite ${name} is not allowed in Salon`);
}

let provider: CryptoProvider = defaultCryptoProvider;
const cache = new Map<SuiteId, Promise<CiphersuiteImpl>>();

/**
 * Selects the crypto provider for every later suite load: the web worker passes ts-mls's `nobleCryptoProvider`
 * where the browser's WebCrypto lacks Ed25519 or X25519. Call once at start-up, before any room is opened.
 */
export function useCryptoProvider(next: CryptoProvider): void {
  provider = next;
  cache.clear();
}

/** Loads (once) the implementation of a suite. */
export function loadSuite(id: SuiteId): Promise<CiphersuiteImpl> {
  let impl = cache.get(id);
  if (impl === undefined) {
    impl = getCiphersuiteImpl(getCiphersuiteFromName(SUITES[id]), provider);
    cache.set(id, impl);
  }
  return impl;
}
