import type { IncomingMessageCallback, MlsPrivateMessage, MlsPublicMessage, Proposal } from 'ts-mls';
import { bytesEqual } from './bytes.js';
import { CredentialRejectedError, HandshakeError, SalonCryptoError } from './errors.js';
import { type DeviceRef, deviceKey, sameDevice } from './identity.js';
import { type AuthenticateDevice, credentialDevice, type Member } from './members.js';
import { decodeMls } from './mlsCodec.js';
import { SUITES, type SuiteId } from './suites.js';

/** Options every way of opening a room takes. */
export interface RoomOptions {
  /** Salon's credential check (backed by the server's device list); called for every credential the group meets. */
  authenticate: AuthenticateDevice;
}

/** How a room's membership changed through one commit. */
export interface MembershipChange {
  added: DeviceRef[];
  removed: DeviceRef[];
}

/** What a commit produces: the delivery service stores and fans it out only if `epoch` is still the room's epoch. */
export interface CommitBundle extends MembershipChange {
  /** The commit, an MLS PrivateMessage for current members. */
  commit: Uint8Array;
  /** The Welcome for added devices, when the commit adds any. */
  welcome?: Uint8Array;
  /** GroupInfo of the new epoch (with external_pub and ratchet tree), for external joins and resync. */
  groupInfo: Uint8Array;
  /** The epoch the commit was made in: the compare-and-set key. */
  epoch: bigint;
}

/** What processing a handshake message did. */
export interface HandshakeResult extends MembershipChange {
  kind: 'commit' | 'proposal';
  /** True when this was this device's own commit coming back from the delivery service. */
  own: boolean;
  /** The room's epoch after processing. */
  epoch: bigint;
  /** True when the commit removed this device: it can no longer send or read new messages. */
  removedSelf: boolean;
}

/** The membership changes a caller asks one commit to make. */
export interface CommitChanges {
  /** KeyPackages (MLS-encoded) of devices to add. */
  add?: Uint8Array[];
  /** Devices to remove, by identity; the leaf index is looked up in the current tree. */
  remove?: DeviceRef[];
}

/** Turns requested changes into MLS proposals, refusing self-removal, unknown devices and foreign suites. */
export function buildProposals(changes: CommitChanges, members: Member[], self: DeviceRef, suite: SuiteId): Proposal[] {
  const proposals: Proposal[] = [];
  for (const ref of changes.remove ?? []) {
    const member = members.find((m) => sameDevice(m, ref));
    if (member === undefined || sameDevice(member, self)) {
      throw new SalonCryptoError('invalid_argument', `cannot remove ${ref.userId}/${ref.deviceId}`);
    }
    proposals.push({ proposalType: 'remove', remove: { removed: member.leafIndex } });
  }
  for (const bytes of changes.add ?? []) {
    const { keyPackage } = decodeMls(bytes, 'mls_key_package');
    if (keyPackage.cipherSuite !== SUITES[suite]) {
      throw new SalonCryptoError('invalid_argument', 'KeyPackage is for another ciphersuite');
    }
    if (credentialDevice(keyPackage.leafNode.credential) === undefined) {
      throw new CredentialRejectedError('KeyPackage has a non-Salon credential');
    }
    proposals.push({ proposalType: 'add', add: { keyPackage } });
  }
  return proposals;
}

/**
 * Proposal types Salon never sends. Refused when received (threat: a compromised member re-initialising the room
 * into another group or suite, injecting an external PSK, or silently granting a third party the right to send
 * proposals through a GroupContextExtensions change).
 */
const FORBIDDEN = new Set(['reinit', 'psk', 'group_context_extensions']);

/** ts-mls incoming-message policy: accept a commit or proposal only if every proposal type is allowed. */
export const salonPolicy: IncomingMessageCallback = (incoming) => {
  const proposals = incoming.kind === 'commit' ? incoming.proposals : [incoming.proposal];
  return proposals.some((p) => FORBIDDEN.has(String(p.proposal.proposalType))) ? 'reject' : 'accept';
};

/** Devices that appear (or changed key) and devices that left, between two member lists. */
export function diffMembers(before: Member[], after: Member[]): MembershipChange {
  const index = (list: Member[]) => new Map(list.map((m) => [deviceKey(m), m]));
  const was = index(before);
  const now = index(after);
  const same = (a: Member | undefined, b: Member) =>
    a !== undefined && bytesEqual(a.signaturePublicKey, b.signaturePublicKey);
  const ref = (m: Member): DeviceRef => ({ userId: m.userId, deviceId: m.deviceId });
  return {
    added: after.filter((m) => !same(was.get(deviceKey(m)), m)).map(ref),
    removed: before.filter((m) => !same(now.get(deviceKey(m)), m)).map(ref),
  };
}

/** The device that sent an external commit (it joins through it), or undefined for a member's commit. */
export function externalJoiner(msg: MlsPrivateMessage | MlsPublicMessage): DeviceRef | undefined {
  if (msg.wireformat !== 'mls_public_message') return undefined;
  const content = msg.publicMessage.content;
  if (content.sender.senderType !== 'new_member_commit' || content.contentType !== 'commit') return undefined;
  const leaf = content.commit.path?.leafNode;
  return leaf === undefined ? undefined : credentialDevice(leaf.credential);
}

/** Library failures while handling a handshake become HandshakeError; Salon's own typed errors pass through. */
export function mapHandshakeError(err: unknown): Error {
  if (err instanceof SalonCryptoError) return err;
  return new HandshakeError(err instanceof Error ? err.message : String(err), { cause: err });
}
