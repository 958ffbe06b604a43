/** Largest WebSocket text frame the server accepts; bigger frames close the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Largest REST request body. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Longest plaintext message body, in characters. */
export const MAX_MESSAGE_CHARS = 16_000;
/** Longest ciphertext (base64) of an encrypted message. */
export const MAX_CIPHERTEXT_CHARS = 48_000;
/** Most messages one history page returns. */
export const MAX_HISTORY_LIMIT = 200;
/** Default history page size. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Longest per-message timer (one year). */
export const MAX_TTL_SECONDS = 365 * 24 * 3600;
/** Room retention bounds: off (null), or 30 seconds to 365 days. */
export const MIN_RETENTION_SECONDS = 30;
export const MAX_RETENTION_SECONDS = 365 * 24 * 3600;
