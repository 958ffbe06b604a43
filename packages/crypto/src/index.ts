/** @salon/crypto: end-to-end encryption of Salon rooms (MLS, RFC 9420, via ts-mls 1.6.4) behind Salon's API. */

export { Device, type KeyPackageBatch } from './device.js';
export {
  CredentialRejectedError,
  type CryptoErrorCode,
  DecryptError,
  FutureEpochError,
  HandshakeError,
  SalonCryptoError,
  StaleEpochError,
} from './errors.js';
export { type FrankedPayload, frankingCommitment, frankPayload, openFrankedPayload } from './franking.js';
export type { CommitBundle, CommitChanges, HandshakeResult, MembershipChange, RoomOptions } from './handshake.js';
export { type DeviceRef, decodeIdentity, deviceKey, encodeIdentity, sameDevice } from './identity.js';
export type { AuthenticateDevice, Member } from './members.js';
export { inspectMessage, type MessageInfo } from './mlsCodec.js';
export type { AlreadySeenMessage, DecryptedMessage, DecryptResult } from './receive.js';
export { RoomCrypto } from './room.js';
export { DEFAULT_SUITE, isSuiteId, SUITES, type SuiteId, useCryptoProvider } from './suites.js';
export {
  decodeTranscriptAad,
  encodeTranscriptAad,
  GENESIS_HASH,
  TRANSCRIPT_AAD_LENGTH,
  type TranscriptAad,
  type TranscriptStatus,
} from './transcript.js';
