import type { ErrorCode } from '@salon/protocol';

/**
 * Codes the SDK adds to the server's: `unreachable` (no answer from any server), `timeout` (a send was not
 * acknowledged in time; its outcome is unknown, and re-sending with the same clientMsgId is safe), `closed`
 * (the client was closed first), `invalid_response` (the server answered something that is not the contract).
 */
export type ClientErrorCode = 'unreachable' | 'timeout' | 'closed' | 'invalid_response';

/** Every failure the SDK reports: a server refusal (its code and message) or one of the client's own. */
export class SalonError extends Error {
  override readonly name = 'SalonError';

  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** HTTP status of a REST refusal; absent for WebSocket errors and client-side failures. */
    readonly status?: number,
    /** The clientMsgId of a failed send, to retry it without risking a duplicate. */
    readonly clientMsgId?: string,
  ) {
    super(message);
  }

  /** True when the server refused (as opposed to being unreachable or the client giving up). */
  get fromServer(): boolean {
    return !['unreachable', 'timeout', 'closed', 'invalid_response'].includes(this.code);
  }
}

/** Whether an error means the session is gone and the user must log in again. */
export function isSessionError(err: unknown): boolean {
  return err instanceof SalonError && err.code === 'unauthenticated';
}
