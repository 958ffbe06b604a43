/** Error codes of the wire contract, with the HTTP status each one answers with. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthenticated: 401,
  /** The password was right; this account also needs a second factor (`totp` or `recoveryCode`). */
  totp_required: 401,
  /** The TOTP code or recovery code is wrong, already used, or replayed. */
  totp_invalid: 401,
  /** The platform requires a second factor and this account has none yet: enrol first. */
  totp_enrollment_required: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  room_name_taken: 409,
  /** A commit or encrypted message made for an MLS epoch the room has left: process the newer commits, redo. */
  stale_epoch: 409,
  /** A member or device left an encrypted room: commit their removal before sending. */
  commit_required: 409,
  username_taken: 409,
  /** An invite link past its expiry, used up, or revoked. */
  link_expired: 410,
  link_exhausted: 410,
  link_revoked: 410,
  /** A report of an encrypted message whose text or key does not match the stored commitment. */
  report_unverified: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Body of every error answer, REST and WebSocket alike. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** WebSocket close codes that Salon uses besides the standard ones. */
export const CLOSE_CODES = {
  /** A frame exceeded MAX_FRAME_BYTES (standard "message too big"). */
  tooBig: 1009,
  /** The server is shutting down; reconnect (to another node) and resume. */
  serviceRestart: 1012,
  /** The client read too slowly and the server's buffer for it filled up; reconnect and resume. */
  slowConsumer: 4008,
  /** The session was revoked or expired; log in again. */
  unauthenticated: 4401,
} as const;
