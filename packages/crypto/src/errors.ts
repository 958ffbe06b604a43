/**
 * Typed errors of @salon/crypto. Callers branch on `code`, never on library messages, so the MLS library can be
 * replaced without touching the SDK. No error ever carries plaintext (E2E-6): a message that fails is reported,
 * not shown.
 */

/** Every error code this package throws. */
export type CryptoErrorCode =
  | 'decrypt_failed'
  | 'handshake_failed'
  | 'stale_epoch'
  | 'future_epoch'
  | 'credential_rejected'
  | 'not_member'
  | 'commit_pending'
  | 'unknown_key_package'
  | 'malformed'
  | 'invalid_argument';

/** Base class of every error thrown by @salon/crypto. */
export class SalonCryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An application message did not decrypt or verify; the reason is for the security log, never shown as text. */
export class DecryptError extends SalonCryptoError {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super('decrypt_failed', `message could not be verified: ${reason}`, options);
    this.reason = reason;
  }
}

/** A handshake message was made for an epoch this device has already left: another commit won the race. */
export class StaleEpochError extends SalonCryptoError {
  readonly messageEpoch: bigint;
  readonly currentEpoch: bigint;
  constructor(messageEpoch: bigint, currentEpoch: bigint) {
    super('stale_epoch', `handshake for epoch ${messageEpoch}, group is at epoch ${currentEpoch}`);
    this.messageEpoch = messageEpoch;
    this.currentEpoch = currentEpoch;
  }
}

/** A handshake message is for a later epoch: this device missed commits and must catch up or rejoin. */
export class FutureEpochError extends SalonCryptoError {
  readonly messageEpoch: bigint;
  readonly currentEpoch: bigint;
  constructor(messageEpoch: bigint, currentEpoch: bigint) {
    super('future_epoch', `handshake for epoch ${messageEpoch}, group is only at epoch ${currentEpoch}`);
    this.messageEpoch = messageEpoch;
    this.currentEpoch = currentEpoch;
  }
}

/** Salon's authentication callback refused a credential (device not listed for that user, or key mismatch). */
export class CredentialRejectedError extends SalonCryptoError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('credential_rejected', `credential rejected: ${detail}`, options);
  }
}

/** A commit or proposal failed verification or breaks Salon's policy; the group state is left unchanged. */
export class HandshakeError extends SalonCryptoError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('handshake_failed', `handshake rejected: ${detail}`, options);
  }
}
