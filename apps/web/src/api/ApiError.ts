/** Failure of a REST call or of a WebSocket request, carrying the protocol's error code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Code used when the server could not be reached at all (no HTTP answer). */
export const NETWORK_ERROR = 'network_error';
