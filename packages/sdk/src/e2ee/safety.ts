import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { encodeText, toHex } from './encoding.js';

/** One user's side of a safety number: their id and the Ed25519 public keys of all their devices. */
export interface SafetyParty {
  userId: string;
  keys: Uint8Array[];
}

const VERSION = 'salon-safety-v1';
/** Iterated like Signal's numeric fingerprint, so a brute-force search for a colliding key set costs more. */
const ITERATIONS = 5200;

/** 30 digits that stand for one user's device keys (sorted, so device order does not matter). */
function partyDigits(party: SafetyParty): { digits: string; hash: Uint8Array } {
  const keys = party.keys.map((k) => toHex(k)).sort();
  const id = encodeText(party.userId);
  let hash = sha512(encodeText(`${VERSION}\0${party.userId}\0${keys.join(',')}`));
  for (let i = 0; i < ITERATIONS; i++) {
    const next = new Uint8Array(hash.length + id.length);
    next.set(hash);
    next.set(id, hash.length);
    hash = sha512(next);
  }
  let digits = '';
  // Six 5-byte chunks, each reduced to 5 digits (as Signal does): 30 digits per user.
  for (let chunk = 0; chunk < 6; chunk++) {
    let n = 0;
    for (let b = 0; b < 5; b++) n = n * 256 + hash[chunk * 5 + b]!;
    digits += String(n % 100000).padStart(5, '0');
  }
  return { digits, hash: hash.subarray(0, 32) };
}

/**
 * The safety number of a pair of users: 60 digits in groups of five, the same on both sides (the two halves are
 * ordered by user id). Comparing it out of band proves that neither server nor attacker substituted a device key.
 */
export function safetyNumber(a: SafetyParty, b: SafetyParty): { safetyNumber: string; qr: string } {
  const [first, second] = a.userId < b.userId ? [a, b] : [b, a];
  const x = partyDigits(first);
  const y = partyDigits(second);
  const digits = x.digits + y.digits;
  const groups = digits.match(/.{5}/g)!.join(' ');
  const qr = `salon-safety:1:${encodeURIComponent(first.userId)}:${toHex(x.hash)}:${encodeURIComponent(second.userId)}:${toHex(y.hash)}`;
  return { safetyNumber: groups, qr };
}

/** A device key's fingerprint as people compare it: SHA-256, hex in groups of four (as the server lists it). */
export function fingerprint(signatureKey: Uint8Array): string {
  return toHex(sha256(signatureKey)).match(/.{4}/g)!.join(' ');
}
