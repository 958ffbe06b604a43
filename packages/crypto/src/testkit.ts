// Test helpers (not part of the build): a stand-in for the server's device list and a three-device room.
import { type ClientState, decodeGroupState } from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { expect } from 'vitest';
import { bytesEqual, unpackParts } from './bytes.js';
import { Device } from './device.js';
import { type DeviceRef, deviceKey } from './identity.js';
import type { AuthenticateDevice } from './members.js';
import { type CommitBundle, RoomCrypto } from './room.js';
import type { SuiteId } from './suites.js';

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const read = (b: Uint8Array | null): string => (b === null ? '<none>' : new TextDecoder().decode(b));

/** The server's device list as clients see it: a credential passes only with the registered key. */
export class DeviceDirectory {
  private readonly keys = new Map<string, Uint8Array>();
  readonly authenticate: AuthenticateDevice = (ref, key) => {
    const known = this.keys.get(deviceKey(ref));
    return known !== undefined && bytesEqual(known, key);
  };

  /** Registers a new device (what the server does on device enrolment). */
  register(ref: DeviceRef): Device {
    const device = Device.generate(ref);
    this.keys.set(deviceKey(ref), device.signaturePublicKey);
    return device;
  }
}

/** One single-use KeyPackage of a device, as the directory would hand it out. */
export async function keyPackage(device: Device, suite: SuiteId): Promise<Uint8Array> {
  const batch = await device.createKeyPackages(suite, 1, { lastResort: false });
  return batch.keyPackages[0]!;
}

export interface Trio {
  dir: DeviceDirectory;
  devices: { alice: Device; bob: Device; carol: Device };
  alice: RoomCrypto;
  bob: RoomCrypto;
  carol: RoomCrypto;
}

/** Alice creates a room and adds Bob and Carol in one commit; both join from the Welcome. */
export async function trio(suite: SuiteId, roomId = 'room-1'): Promise<Trio> {
  const dir = new DeviceDirectory();
  const devices = {
    alice: dir.register({ userId: 'alice', deviceId: 'laptop' }),
    bob: dir.register({ userId: 'bob', deviceId: 'phone' }),
    carol: dir.register({ userId: 'carol', deviceId: 'cli' }),
  };
  const opts = { authenticate: dir.authenticate };
  const alice = await RoomCrypto.create(devices.alice, { ...opts, roomId, suite });
  const bundle = await alice.addMembers([await keyPackage(devices.bob, suite), await keyPackage(devices.carol, suite)]);
  await alice.mergePendingCommit();
  const bob = await RoomCrypto.joinFromWelcome(devices.bob, bundle.welcome!, opts);
  const carol = await RoomCrypto.joinFromWelcome(devices.carol, bundle.welcome!, opts);
  return { dir, devices, alice, bob, carol };
}

/** Delivers a commit the way the delivery service does: the committer merges, everyone else processes it. */
export async function deliver(committer: RoomCrypto, bundle: CommitBundle, others: RoomCrypto[]): Promise<void> {
  await committer.processHandshake(bundle.commit);
  for (const room of others) await room.processHandshake(bundle.commit);
}

/** Encrypts on one device and expects every other device to read it with status ok. */
export async function expectAllRead(sender: RoomCrypto, readers: RoomCrypto[], body: string): Promise<void> {
  const wire = await sender.encrypt(text(body));
  for (const reader of readers) {
    const got = await reader.decrypt(wire);
    expect(got.status).toBe('ok');
    expect(read(got.plaintext)).toBe(body);
  }
}

/** The delivery service's rule in miniature: one commit per epoch, first come first served. */
export class EpochGate {
  constructor(private epoch: bigint) {}
  /** Compare-and-set: true (and the epoch advances) only for a commit made at the current epoch. */
  accept(bundle: { epoch: bigint }): boolean {
    if (bundle.epoch !== this.epoch) return false;
    this.epoch += 1n;
    return true;
  }
}

/** The raw ts-mls state inside a room export: lets a test act as a non-Salon (or malicious) member client. */
export function rawState(room: RoomCrypto): ClientState {
  const groupBytes = unpackParts(room.export())[2]!;
  return { ...decodeGroupState(groupBytes, 0)![0], clientConfig: defaultClientConfig };
}
