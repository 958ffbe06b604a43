import { type DeviceRef, deviceKey, type RoomCrypto } from '@salon/crypto';
import type { E2eeApi } from './api.js';
import type { DeviceDirectory } from './directory.js';
import { fromBase64, toBase64 } from './encoding.js';

/** One reconciliation commit's changes: KeyPackages to add (and the devices their Welcome goes to), devices to remove. */
export interface MembershipPlan {
  add: Uint8Array[];
  remove: DeviceRef[];
  welcomeDevices: string[];
}

/**
 * What makes a room's group match the room: every device the server lists for every current member is in it with
 * its listed key, and nothing else is (threat: a kicked member's or a deleted device's leaf that would keep
 * reading). Missing devices get a KeyPackage claimed from the directory; a device without one stays out for now.
 */
export async function planMembership(
  api: E2eeApi,
  directory: DeviceDirectory,
  roomId: string,
  room: RoomCrypto,
  self: DeviceRef,
): Promise<MembershipPlan> {
  const listed = new Map<string, { userId: string; deviceId: string; key: string }>();
  for (const member of await api.members(roomId)) {
    for (const d of await directory.devices(member.user.id)) {
      listed.set(deviceKey({ userId: d.userId, deviceId: d.id }), {
        userId: d.userId,
        deviceId: d.id,
        key: d.signatureKey,
      });
    }
  }
  const inGroup = new Map(room.members().map((m) => [deviceKey(m), toBase64(m.signaturePublicKey)]));
  const remove = room
    .members()
    .filter((m) => deviceKey(m) !== deviceKey(self) && listed.get(deviceKey(m))?.key !== toBase64(m.signaturePublicKey))
    .map((m) => ({ userId: m.userId, deviceId: m.deviceId }));
  const missing = [...listed.entries()].filter(([key, d]) => inGroup.get(key) !== d.key).map(([key]) => key);
  const add: Uint8Array[] = [];
  const welcomeDevices: string[] = [];
  // The directory hands out one package per device of a user: take those of the missing devices only.
  for (const userId of new Set(missing.map((key) => listed.get(key)!.userId))) {
    for (const kp of await api.claimKeyPackages(roomId, userId)) {
      if (!missing.includes(deviceKey({ userId, deviceId: kp.deviceId }))) continue;
      add.push(fromBase64(kp.keyPackage));
      welcomeDevices.push(kp.deviceId);
    }
  }
  return { add, remove, welcomeDevices };
}
