import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual } from './bytes.js';
import { SalonCryptoError } from './errors.js';

/**
 * Message franking (E2E-17): verifiable abuse reports in encrypted rooms. The sender puts a fresh key inside the
 * encrypted payload and sends, in the clear, a commitment to the text under that key (HMAC-SHA256). The server
 * stores the commitment with sender, room and seq without learning anything about the text; a recipient who
 * reports the message reveals text and key, and anyone holding the commitment can check that this sender sent
 * exactly this text. Recipients check the commitment on receipt, so a sender cannot attach one that a later
 * report would not match.
 */

const VERSION = 1;
const KEY_BYTES = 32;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The MLS plaintext of a franked message: `01 | key[32] | UTF-8 text`. */
export interface FrankedPayload {
  /** What goes into `RoomCrypto.encrypt`. */
  payload: Uint8Array;
  /** The franking key (inside the ciphertext only). */
  key: Uint8Array;
  /** HMAC-SHA256(key, text): sent beside the ciphertext. */
  commitment: Uint8Array;
}

/** The commitment to a text under a franking key. */
export function frankingCommitment(key: Uint8Array, text: string): Uint8Array {
  return hmac(sha256, key, utf8.encode(text));
}

/** Wraps a text for encryption with a fresh franking key and its commitment. */
export function frankPayload(text: string): FrankedPayload {
  const key = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const body = utf8.encode(text);
  const payload = new Uint8Array(1 + KEY_BYTES + body.length);
  payload[0] = VERSION;
  payload.set(key, 1);
  payload.set(body, 1 + KEY_BYTES);
  return { payload, key, commitment: frankingCommitment(key, text) };
}

/**
 * Reads a decrypted payload and checks it against the commitment that came with it. Anything that does not
 * match throws (the message is then shown as unverified, never as text).
 */
export function openFrankedPayload(payload: Uint8Array, commitment: Uint8Array): { text: string; key: Uint8Array } {
  if (payload.length < 1 + KEY_BYTES || payload[0] !== VERSION) {
    throw new SalonCryptoError('malformed', 'not a franked payload');
  }
  const key = payload.slice(1, 1 + KEY_BYTES);
  let text: string;
  try {
    text = strictUtf8.decode(payload.subarray(1 + KEY_BYTES));
  } catch {
    throw new SalonCryptoError('malformed', 'payload text is not UTF-8');
  }
  if (!bytesEqual(frankingCommitment(key, text), commitment)) {
    throw new SalonCryptoError('decrypt_failed', 'the franking commitment does not match the message');
  }
  return { text, key };
}
