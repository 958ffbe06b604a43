export { E2eeApi, type Request } from './api.js';
export { DeviceDirectory, type VerifiedUser } from './directory.js';
export { decodeText, encodeText, fromBase64, randomId, toBase64 } from './encoding.js';
export { E2eeEngine, type E2eeEvents, type E2eeOptions, type ListedDevice } from './engine.js';
export {
  DEFAULT_KDF,
  deriveStoreKey,
  type KdfParams,
  type KeyStore,
  MemoryKeyStore,
  Mutex,
  SealedKeyStore,
  StoreKeyError,
} from './keyStore.js';
export { fingerprint, type SafetyParty, safetyNumber } from './safety.js';
export { RoomSession, type StoredRecord } from './session.js';
