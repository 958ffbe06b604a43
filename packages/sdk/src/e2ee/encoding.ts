/** Base64 and UTF-8 helpers that work in Node and in a browser or Web Worker (no Buffer). */

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Standard base64 of bytes (what the wire contract carries). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes of a standard base64 string. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** UTF-8 bytes of a string. */
export const encodeText = (text: string): Uint8Array => utf8.encode(text);

/** The string of UTF-8 bytes. */
export const decodeText = (bytes: Uint8Array): string => fromUtf8.decode(bytes);

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** A JSON value stored as UTF-8 bytes. */
export const encodeJson = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));

/** The JSON value of UTF-8 bytes. */
export const decodeJson = <T>(bytes: Uint8Array): T => JSON.parse(fromUtf8.decode(bytes)) as T;

/** A random URL-safe id (base64url of `bytes` random bytes), e.g. a device id. */
export function randomId(bytes = 16): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return toBase64(raw).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
