import {
  type ClientState,
  createApplicationMessage,
  createCommit,
  createGroupInfoWithExternalPubAndRatchetTree,
  emptyPskIndex,
  encodeMlsMessage,
  processMessage,
  zeroOutUint8Array,
} from 'ts-mls';
import { bytesEqual, sha256, toHex } from './bytes.js';
import type { Device } from './device.js';
import { FutureEpochError, SalonCryptoError, StaleEpochError } from './errors.js';
import {
  buildProposals,
  type CommitBundle,
  type CommitChanges,
  diffMembers,
  externalJoiner,
  type HandshakeResult,
  type MembershipChange,
  mapHandshakeError,
  type RoomOptions,
  salonPolicy,
} from './handshake.js';
import { type DeviceRef, sameDevice } from './identity.js';
import { type Member, membersOf } from './members.js';
import { decodeMls, encodeMls } from './mlsCodec.js';
import {
  checkOwnership,
  decodeRoomParts,
  encodeRoomParts,
  externalParts,
  newGroupParts,
  type RoomParts,
  welcomeParts,
} from './opening.js';
import { type DecryptResult, decryptApplication } from './receive.js';
import type { SuiteId } from './suites.js';
import { encodeTranscriptAad } from './transcript.js';

interface PendingCommit {
  state: ClientState;
  hash: string;
  consumed: Uint8Array[];
}

/**
 * One device's view of one encrypted room: an MLS group (RFC 9420) plus Salon's transcript checks. Methods that
 * change state are serialised, because the MLS state is a value and two interleaved updates would lose one.
 */
export class RoomCrypto {
  private pending: PendingCommit | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The room's ciphersuite, fixed at creation. */
  readonly suite: SuiteId;
  /** The epoch this device entered at: messages of earlier epochs were sent before it joined. */
  readonly joinedEpoch: bigint;

  private constructor(
    private readonly device: Device,
    private readonly parts: RoomParts,
  ) {
    this.suite = parts.suite;
    this.joinedEpoch = parts.joinedEpoch;
    checkOwnership(device, parts.state);
  }

  /** Creates the room's group with this device as its only member. */
  static async create(device: Device, options: RoomOptions & { roomId: string; suite?: SuiteId }): Promise<RoomCrypto> {
    return new RoomCrypto(device, await newGroupParts(device, options));
  }

  /** Joins from a Welcome addressed to one of this device's KeyPackages (persist the device afterwards). */
  static async joinFromWelcome(device: Device, welcome: Uint8Array, options: RoomOptions): Promise<RoomCrypto> {
    return new RoomCrypto(device, await welcomeParts(device, welcome, options));
  }

  /**
   * Joins by external commit from a GroupInfo (a user's new device, or resync after lost state: a leaf with this
   * device's key is replaced). Send `commit` to the delivery service; if it is refused as stale, drop the room.
   */
  static async joinExternal(
    device: Device,
    groupInfo: Uint8Array,
    options: RoomOptions,
  ): Promise<{ room: RoomCrypto; commit: Uint8Array; epoch: bigint }> {
    const { parts, commit, epoch } = await externalParts(device, groupInfo, options);
    return { room: new RoomCrypto(device, parts), commit, epoch };
  }

  /** Restores a room from `export` bytes; refuses a state that belongs to another device. */
  static async import(device: Device, bytes: Uint8Array, options: RoomOptions): Promise<RoomCrypto> {
    return new RoomCrypto(device, await decodeRoomParts(bytes, options));
  }

  /** Serialises group state and transcript (a pending commit is not included). Store it encrypted at rest. */
  export(): Uint8Array {
    return encodeRoomParts(this.parts);
  }

  private get state(): ClientState {
    return this.parts.state;
  }

  private set state(next: ClientState) {
    this.parts.state = next;
  }

  /** The room id the group was created for. */
  get roomId(): string {
    return new TextDecoder().decode(this.state.groupContext.groupId);
  }

  /** The current MLS epoch. */
  get epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  /** False once a commit removed this device. */
  get active(): boolean {
    return this.state.groupActiveState.kind === 'active';
  }

  /** True while a commit made here waits for the delivery service's verdict. */
  get hasPendingCommit(): boolean {
    return this.pending !== undefined;
  }

  /** Proposals received but not yet committed (e.g. Removes): commit them before the next message. */
  get pendingProposals(): number {
    return Object.keys(this.state.unappliedProposals).length;
  }

  /** Every device in the group with its leaf index (the identity -> leaf map, read from the ratchet tree). */
  members(): Member[] {
    return membersOf(this.state.ratchetTree);
  }

  /** Adds devices from their KeyPackages in one commit. */
  addMembers(keyPackages: Uint8Array[]): Promise<CommitBundle> {
    return this.commit({ add: keyPackages });
  }

  /** Removes devices by identity in one commit. */
  removeDevices(devices: DeviceRef[]): Promise<CommitBundle> {
    return this.commit({ remove: devices });
  }

  /**
   * Builds one commit for a batch of adds and removes plus any received proposals (with nothing to change it just
   * rotates this device's keys). The room stays at its epoch until `mergePendingCommit` (the delivery service
   * accepted it) or `discardPendingCommit` (it lost the race: process the winner, then commit again).
   */
  commit(changes: CommitChanges = {}): Promise<CommitBundle> {
    return this.serial(async () => {
      this.requireActive();
      if (this.pending !== undefined) throw new SalonCryptoError('commit_pending', 'a commit is already pending');
      const members = this.members();
      const extraProposals = buildProposals(changes, members, this.device.ref, this.suite);
      const epoch = this.epoch;
      const context = { state: this.state, cipherSuite: this.parts.impl };
      const res = await this.parts.gate.run(
        () => createCommit(context, { extraProposals, ratchetTreeExtension: true }),
        mapHandshakeError,
      );
      const commit = encodeMlsMessage(res.commit);
      const welcome = res.welcome && encodeMls({ wireformat: 'mls_welcome', welcome: res.welcome });
      const groupInfo = await this.groupInfoOf(res.newState);
      this.pending = { state: res.newState, hash: toHex(await sha256(commit)), consumed: res.consumed };
      const change = diffMembers(members, membersOf(res.newState.ratchetTree));
      return { commit, ...(welcome && { welcome }), groupInfo, epoch, ...change };
    });
  }

  /** The delivery service accepted the pending commit: move to the new epoch. */
  mergePendingCommit(): Promise<HandshakeResult> {
    return this.serial(async () => this.applyPending());
  }

  /** The delivery service refused the pending commit (stale epoch): forget it, keep the current epoch. */
  discardPendingCommit(): Promise<void> {
    return this.serial(async () => {
      this.pending = undefined;
    });
  }

  /**
   * Processes a commit or proposal from the delivery service. A message for an older epoch throws StaleEpochError
   * (another commit won), a later one FutureEpochError (commits were missed: rejoin). Our own pending commit coming
   * back is merged; another commit for our epoch discards our pending one, which must then be redone.
   */
  processHandshake(bytes: Uint8Array): Promise<HandshakeResult> {
    return this.serial(async () => {
      const hash = toHex(await sha256(bytes));
      if (this.pending?.hash === hash) return this.applyPending();
      if (this.parts.lastOwnCommit === hash) {
        return { kind: 'commit', own: true, epoch: this.epoch, added: [], removed: [], removedSelf: false };
      }
      const msg = decodeMls(bytes, 'mls_private_message', 'mls_public_message');
      const header = msg.wireformat === 'mls_private_message' ? msg.privateMessage : msg.publicMessage.content;
      if (header.contentType === 'application') {
        throw new SalonCryptoError('invalid_argument', 'application messages go through decrypt');
      }
      if (!bytesEqual(header.groupId, this.state.groupContext.groupId)) {
        throw new SalonCryptoError('malformed', 'handshake for another room');
      }
      this.requireActive();
      if (header.epoch < this.epoch) throw new StaleEpochError(header.epoch, this.epoch);
      if (header.epoch > this.epoch) throw new FutureEpochError(header.epoch, this.epoch);
      const before = this.members();
      const res = await this.parts.gate.run(
        () => processMessage(msg, this.state, emptyPskIndex, salonPolicy, this.parts.impl),
        mapHandshakeError,
      );
      if (res.kind !== 'newState' || res.actionTaken === 'reject') {
        throw mapHandshakeError(new Error('uses a proposal type Salon does not allow'));
      }
      this.state = res.newState;
      for (const secret of res.consumed) zeroOutUint8Array(secret);
      if (header.contentType === 'commit') {
        this.pending = undefined;
        this.parts.lastOwnCommit = undefined;
      }
      const change = diffMembers(before, this.members());
      const joiner = externalJoiner(msg);
      if (joiner !== undefined && !change.added.some((d) => sameDevice(d, joiner))) change.added.push(joiner);
      this.recordMembership(change);
      return { kind: header.contentType, own: false, epoch: this.epoch, ...change, removedSelf: !this.active };
    });
  }

  /** Encrypts an application message carrying this device's transcript counter and last seen hash. */
  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.serial(async () => {
      this.requireActive();
      if (this.pending !== undefined || this.pendingProposals > 0) {
        // Threat: a message sent before a pending Remove is committed would still be readable by the removed device.
        throw new SalonCryptoError('commit_pending', 'commit pending changes before sending');
      }
      const aad = this.parts.transcript.nextOwn();
      const res = await createApplicationMessage(this.state, plaintext, this.parts.impl, encodeTranscriptAad(aad));
      const bytes = encodeMls({ wireformat: 'mls_private_message', privateMessage: res.privateMessage });
      this.state = res.newState;
      for (const secret of res.consumed) zeroOutUint8Array(secret);
      this.parts.transcript.recordOwn(this.device.ref, aad, await sha256(bytes), res.privateMessage.epoch);
      return bytes;
    });
  }

  /**
   * Takes back the last message `encrypt` returned, which the delivery service refused (stale epoch, commit
   * required): its transcript counter and hash are reused by the next message, so members see no false gap. Its
   * MLS generation stays spent (a key is never reused). Returns false when something was recorded since.
   */
  withdraw(bytes: Uint8Array): Promise<boolean> {
    return this.serial(async () => this.parts.transcript.withdrawOwn(await sha256(bytes)));
  }

  /**
   * Decrypts and verifies an application message, then checks it against the transcript. Anything that fails to
   * decrypt or verify throws DecryptError and leaves the state unchanged; no plaintext is ever returned for it.
   */
  decrypt(bytes: Uint8Array): Promise<DecryptResult> {
    return this.serial(async () => {
      const { parts } = this;
      const { result, state } = await decryptApplication(
        parts.state,
        parts.impl,
        parts.transcript,
        this.device.ref,
        bytes,
      );
      this.state = state;
      return result;
    });
  }

  /** The GroupInfo of the current epoch, for the delivery service to hand to external joiners. */
  exportGroupInfo(): Promise<Uint8Array> {
    return this.groupInfoOf(this.state);
  }

  private async groupInfoOf(state: ClientState): Promise<Uint8Array> {
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], this.parts.impl);
    return encodeMls({ wireformat: 'mls_group_info', groupInfo });
  }

  private applyPending(): HandshakeResult {
    const pending = this.pending!;
    const before = this.members();
    // Messages decrypted while the commit was pending advanced this epoch's ratchets: keep that progress, so a
    // late message of the old epoch uses fresh keys and an already-read one cannot be decrypted twice.
    const history = new Map(pending.state.historicalReceiverData);
    const old = history.get(this.epoch);
    if (old !== undefined) history.set(this.epoch, { ...old, secretTree: this.state.secretTree });
    this.state = { ...pending.state, historicalReceiverData: history };
    for (const secret of pending.consumed) zeroOutUint8Array(secret);
    this.pending = undefined;
    this.parts.lastOwnCommit = pending.hash;
    const change = diffMembers(before, this.members());
    this.recordMembership(change);
    return { kind: 'commit', own: true, epoch: this.epoch, ...change, removedSelf: false };
  }

  private recordMembership(change: MembershipChange): void {
    for (const ref of change.removed) this.parts.transcript.memberLeft(ref);
    for (const ref of change.added) this.parts.transcript.memberJoined(ref);
  }

  private requireActive(): void {
    if (!this.active) throw new SalonCryptoError('not_member', 'this device is no longer a member of the room');
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
