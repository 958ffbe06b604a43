import {
  type CiphersuiteImpl,
  type ClientState,
  createGroup,
  decodeGroupState,
  emptyPskIndex,
  encodeGroupState,
  joinGroup,
  joinGroupExternal,
} from 'ts-mls';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { bytesEqual, packParts, sha256, toHex, unpackParts } from './bytes.js';
import type { Device } from './device.js';
import { SalonCryptoError } from './errors.js';
import { mapHandshakeError, type RoomOptions } from './handshake.js';
import { sameDevice } from './identity.js';
import { CredentialGate, membersOf } from './members.js';
import { decodeMls, encodeMls } from './mlsCodec.js';
import { DEFAULT_SUITE, loadSuite, type SuiteId, suiteIdFromName } from './suites.js';
import { Transcript } from './transcript.js';

/** Everything one device's view of a room is made of; RoomCrypto wraps it. */
export interface RoomParts {
  suite: SuiteId;
  impl: CiphersuiteImpl;
  gate: CredentialGate;
  state: ClientState;
  transcript: Transcript;
  joinedEpoch: bigint;
  /** Hash of this device's last merged commit, so its echo from the delivery service is recognised. */
  lastOwnCommit?: string | undefined;
}

const MAGIC = new TextEncoder().encode('salon-room-v1');

/** A new group with `device` as its only member. */
export async function newGroupParts(
  device: Device,
  options: RoomOptions & { roomId: string; suite?: SuiteId },
): Promise<RoomParts> {
  const suite = options.suite ?? DEFAULT_SUITE;
  const impl = await loadSuite(suite);
  const gate = new CredentialGate(options.authenticate);
  const own = await device.newKeyPackage(suite);
  const groupId = new TextEncoder().encode(options.roomId);
  const state = await createGroup(groupId, own.publicPackage, own.privatePackage, [], impl, gate.clientConfig());
  return { suite, impl, gate, state, transcript: new Transcript(), joinedEpoch: 0n };
}

/** Group state from a Welcome addressed to one of the device's KeyPackages (which is consumed). */
export async function welcomeParts(device: Device, welcomeBytes: Uint8Array, options: RoomOptions): Promise<RoomParts> {
  const { welcome } = decodeMls(welcomeBytes, 'mls_welcome');
  const suite = suiteIdFromName(welcome.cipherSuite);
  const impl = await loadSuite(suite);
  const gate = new CredentialGate(options.authenticate);
  const own = await device.takeKeyPackage(welcome);
  const config = gate.clientConfig();
  const state = await gate.run(
    () => joinGroup(welcome, own.publicPackage, own.privatePackage, emptyPskIndex, impl, undefined, undefined, config),
    mapHandshakeError,
  );
  return joinedParts(device, suite, impl, gate, state);
}

/** Group state and the external commit that makes `device` a member, from a GroupInfo. */
export async function externalParts(
  device: Device,
  groupInfoBytes: Uint8Array,
  options: RoomOptions,
): Promise<{ parts: RoomParts; commit: Uint8Array; epoch: bigint }> {
  const { groupInfo } = decodeMls(groupInfoBytes, 'mls_group_info');
  const suite = suiteIdFromName(groupInfo.groupContext.cipherSuite);
  const impl = await loadSuite(suite);
  const gate = new CredentialGate(options.authenticate);
  const tree = ratchetTreeFromExtension(groupInfo);
  if (tree === undefined) throw new SalonCryptoError('malformed', 'GroupInfo carries no ratchet tree');
  // A leaf that already holds this device's key means it lost its state: resync replaces that leaf.
  const resync = membersOf(tree).some((m) => bytesEqual(m.signaturePublicKey, device.signaturePublicKey));
  const own = await device.newKeyPackage(suite);
  const config = gate.clientConfig();
  const { publicMessage, newState } = await gate.run(
    () => joinGroupExternal(groupInfo, own.publicPackage, own.privatePackage, resync, impl, undefined, config),
    mapHandshakeError,
  );
  const commit = encodeMls({ wireformat: 'mls_public_message', publicMessage });
  const parts = joinedParts(device, suite, impl, gate, newState);
  parts.lastOwnCommit = toHex(await sha256(commit));
  return { parts, commit, epoch: groupInfo.groupContext.epoch };
}

/** Encodes room parts as `packParts(magic, meta JSON, MLS group state, transcript)`. */
export function encodeRoomParts(parts: RoomParts): Uint8Array {
  const meta = { joinedEpoch: parts.joinedEpoch.toString(), own: parts.lastOwnCommit };
  return packParts([
    MAGIC,
    new TextEncoder().encode(JSON.stringify(meta)),
    encodeGroupState(parts.state),
    parts.transcript.encode(),
  ]);
}

/** Decodes what `encodeRoomParts` produced, under a fresh credential gate. */
export async function decodeRoomParts(bytes: Uint8Array, options: RoomOptions): Promise<RoomParts> {
  const [magic, metaBytes, groupBytes, transcriptBytes, ...rest] = unpackParts(bytes);
  if (!magic || !bytesEqual(magic, MAGIC) || !metaBytes || !groupBytes || !transcriptBytes || rest.length > 0) {
    throw new SalonCryptoError('malformed', 'not an exported Salon room');
  }
  const meta = JSON.parse(new TextDecoder().decode(metaBytes)) as { joinedEpoch: string; own?: string };
  const decoded = decodeGroupState(groupBytes, 0);
  if (decoded === undefined || decoded[1] !== groupBytes.length) {
    throw new SalonCryptoError('malformed', 'bad group state');
  }
  const gate = new CredentialGate(options.authenticate);
  const state: ClientState = { ...decoded[0], clientConfig: gate.clientConfig() };
  const suite = suiteIdFromName(state.groupContext.cipherSuite);
  const impl = await loadSuite(suite);
  const transcript = Transcript.decode(transcriptBytes);
  return { suite, impl, gate, state, transcript, joinedEpoch: BigInt(meta.joinedEpoch), lastOwnCommit: meta.own };
}

/** Refuses group state whose own leaf is not this device (threat: another device's state file signing as it). */
export function checkOwnership(device: Device, state: ClientState): void {
  if (state.groupActiveState.kind !== 'active') return;
  const own = membersOf(state.ratchetTree).find((m) => m.leafIndex === state.privatePath.leafIndex);
  if (!own || !sameDevice(own, device.ref) || !bytesEqual(own.signaturePublicKey, device.signaturePublicKey)) {
    throw new SalonCryptoError('invalid_argument', 'group state does not belong to this device');
  }
}

function joinedParts(
  device: Device,
  suite: SuiteId,
  impl: CiphersuiteImpl,
  gate: CredentialGate,
  state: ClientState,
): RoomParts {
  const joinedEpoch = state.groupContext.epoch;
  const others = membersOf(state.ratchetTree).filter((m) => !sameDevice(m, device.ref));
  return { suite, impl, gate, state, transcript: Transcript.joined(others, joinedEpoch), joinedEpoch };
}
