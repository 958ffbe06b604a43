import { SalonCryptoError } from '@salon/crypto';
import { PassphraseRequiredError } from '../e2ee/fileKeyStore.js';
import { StoreKeyError } from '../e2ee/keyStore.js';
import { SalonError } from '../errors.js';

/** Exit codes of the command line (docs: CLI.md). 4 is reserved for failed cryptographic checks. */
export const EXIT = { ok: 0, usage: 1, refused: 2, session: 3, crypto: 4, unreachable: 5 } as const;

/** Wrong usage: a missing argument, an unknown option, no way to read a password. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What a failure prints and exits with: `[exit code, error code, message]`. */
export function describeFailure(err: unknown): [number, string, string] {
  if (err instanceof UsageError || err instanceof PassphraseRequiredError) return [EXIT.usage, 'usage', err.message];
  if (err instanceof SalonCryptoError) return [EXIT.crypto, err.code, err.message];
  if (err instanceof StoreKeyError) return [EXIT.crypto, 'store_key', err.message];
  if (err instanceof SalonError) {
    if (err.code === 'unauthenticated') return [EXIT.session, err.code, err.message];
    if (err.code === 'unreachable' || err.code === 'timeout') return [EXIT.unreachable, err.code, err.message];
    return [EXIT.refused, err.code, err.message];
  }
  // A bug, not a refusal: say so plainly rather than pretend it was the user's or the server's doing.
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return [EXIT.usage, 'internal', message];
}
