/**
 * Random identifier of 128 bits in hex, safe for `clientMsgId`. Uses getRandomValues rather than randomUUID
 * because randomUUID exists only in secure contexts, and a self-hosted server may be reached over plain HTTP.
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
