import { SalonCryptoError } from './errors.js';

/** Who a device is: the MLS basic credential names exactly one device of one user. */
export interface DeviceRef {
  userId: string;
  deviceId: string;
}

const IDENTITY_VERSION = 1;
const MAX_ID_BYTES = 255;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a device reference as credential identity bytes: `01 | u8 len | userId utf8 | u8 len | deviceId utf8`.
 * Length-prefixed and versioned so that two different (userId, deviceId) pairs can never encode to the same bytes
 * (threat: a user named "a/b" impersonating device "b" of user "a" through an ambiguous separator).
 */
export function encodeIdentity(ref: DeviceRef): Uint8Array {
  const user = utf8.encode(ref.userId);
  const device = utf8.encode(ref.deviceId);
  for (const part of [user, device]) {
    if (part.length === 0 || part.length > MAX_ID_BYTES) {
      throw new SalonCryptoError('invalid_argument', 'userId and deviceId must be 1..255 UTF-8 bytes');
    }
  }
  const out = new Uint8Array(3 + user.length + device.length);
  out[0] = IDENTITY_VERSION;
  out[1] = user.length;
  out.set(user, 2);
  out[2 + user.length] = device.length;
  out.set(device, 3 + user.length);
  return out;
}

/** Decodes credential identity bytes; returns undefined for anything that is not a canonical Salon identity. */
export function decodeIdentity(bytes: Uint8Array): DeviceRef | undefined {
  if (bytes.length < 5 || bytes[0] !== IDENTITY_VERSION) return undefined;
  const userLen = bytes[1]!;
  const deviceLenAt = 2 + userLen;
  if (userLen === 0 || deviceLenAt >= bytes.length) return undefined;
  const deviceLen = bytes[deviceLenAt]!;
  // Trailing bytes are refused so that one identity has exactly one encoding.
  if (deviceLen === 0 || deviceLenAt + 1 + deviceLen !== bytes.length) return undefined;
  try {
    return {
      userId: strictUtf8.decode(bytes.subarray(2, deviceLenAt)),
      deviceId: strictUtf8.decode(bytes.subarray(deviceLenAt + 1)),
    };
  } catch {
    return undefined;
  }
}

/** A stable map key for a device (JSON of the pair, so no separator can be forged). */
export function deviceKey(ref: DeviceRef): string {
  return JSON.stringify([ref.userId, ref.deviceId]);
}

/** True when both references name the same device. */
export function sameDevice(a: DeviceRef, b: DeviceRef): boolean {
  return a.userId === b.userId && a.deviceId === b.deviceId;
}
