import { sha256 } from '@noble/hashes/sha2.js';
import {
  CredentialRejectedError,
  DecryptError,
  type Device,
  type DeviceRef,
  frankPayload,
  openFrankedPayload,
  RoomCrypto,
  StaleEpochError,
  type SuiteId,
} from '@salon/crypto';
import type { Message } from '@salon/protocol';
import type { MessageStatus } from '../codec.js';
import { SalonError } from '../errors.js';
import type { E2eeApi } from './api.js';
import type { DeviceDirectory } from './directory.js';
import { decodeJson, encodeJson, fromBase64, toBase64, toHex } from './encoding.js';
import type { KeyStore } from './keyStore.js';
import { planMembership } from './membership.js';

/** What this device knows about one message of an encrypted room, kept so `history` can show it again. */
export interface StoredRecord {
  status: Exclude<MessageStatus, 'deleted'> | 'deleted';
  text?: string;
  /** The device that signed it (from MLS, never from the server). */
  device?: string;
  /** When the server said it expires (ms since epoch): dropped from the store afterwards. */
  expiresAt?: number;
  /** The message's franking key (base64), revealed only if this member reports it (SPEC E2E-17). */
  frankingKey?: string;
}

/** Why a room's state was rebuilt or a message flagged; what the UI/CLI may show. */
export interface SessionHooks {
  integrity(roomId: string, seq: number | undefined, reason: string): void;
  desync(roomId: string, reason: string): void;
  /** The server refused a commit of this device as stale (another one won the epoch). */
  staleCommit(): void;
  warning(roomId: string, message: string): void;
  /** The device changed (a KeyPackage consumed by a Welcome): persist it. */
  deviceChanged(): Promise<void>;
}

interface SavedRoom {
  v: 1;
  version: string;
  state?: string;
  /** Every message up to this seq went through this device's group state (or predates its joining). */
  processedSeq: number;
  records: Record<string, StoredRecord>;
  /** Own messages sent but not yet seen back, by the hex SHA-256 of their wire bytes. */
  own: Record<string, string>;
  expired: number[];
}

const PAGE = 200;
const MAX_COMMIT_ATTEMPTS = 6;

/**
 * One device's view of one encrypted room: its MLS group, the seq up to which the room's stream was processed,
 * and the decrypted history (forward secrecy: a message decrypts once, so its text is kept here). The room's
 * messages and commits are processed strictly in seq order, whatever order callers ask in; every operation runs
 * under the key store's lock and starts by reloading the state if another process changed it.
 */
export class RoomSession {
  private crypto: RoomCrypto | undefined;
  private saved: SavedRoom = { v: 1, version: '', processedSeq: 0, records: {}, own: {}, expired: [] };
  private loadedVersion = '';

  constructor(
    readonly roomId: string,
    private readonly suite: SuiteId,
    private readonly retention: boolean,
    private readonly device: () => Device,
    private readonly api: E2eeApi,
    private readonly directory: DeviceDirectory,
    private readonly store: KeyStore,
    private readonly hooks: SessionHooks,
  ) {}

  private get name(): string {
    return `room.${this.roomId}`;
  }

  /** The MLS epoch of this device's group state, if it has one. */
  get epoch(): bigint | undefined {
    return this.crypto?.epoch;
  }

  /** The live group state (for tests that export it; never hand it to untrusted code). */
  get group(): RoomCrypto | undefined {
    return this.crypto;
  }

  /** Reloads from the store when another process (or session object) saved a newer state. */
  async load(): Promise<void> {
    const bytes = await this.store.get(this.name);
    if (bytes === undefined) return;
    const saved = decodeJson<SavedRoom>(bytes);
    if (saved.version === this.loadedVersion) return;
    this.saved = saved;
    this.loadedVersion = saved.version;
    this.crypto =
      saved.state === undefined
        ? undefined
        : await RoomCrypto.import(this.device(), fromBase64(saved.state), {
            authenticate: this.directory.authenticate,
          });
  }

  async save(): Promise<void> {
    const now = Date.now();
    for (const [seq, r] of Object.entries(this.saved.records)) {
      if (r.expiresAt !== undefined && r.expiresAt <= now) delete this.saved.records[seq];
    }
    const version = toHex(crypto.getRandomValues(new Uint8Array(8)));
    const state = this.crypto?.active ? toBase64(this.crypto.export()) : undefined;
    this.saved = { ...this.saved, version, ...(state === undefined ? { state: undefined } : { state }) };
    if (state === undefined) delete this.saved.state;
    await this.store.put(this.name, encodeJson(this.saved));
    this.loadedVersion = version;
  }

  /** The text and status of a message (processing the room's stream up to it first). */
  async decode(message: Message): Promise<StoredRecord> {
    if (message.seq > this.saved.processedSeq) {
      await this.join();
      await this.syncTo(message.seq, message);
    }
    return this.saved.records[message.seq] ?? { status: 'undecryptable' };
  }

  /**
   * Joins (if needed), catches up with the room, brings the group in line with its members, and encrypts. The
   * text travels with a fresh franking key; the commitment to it goes beside the ciphertext (SPEC E2E-17).
   */
  async encrypt(text: string): Promise<{ ciphertext: string; franking: string }> {
    await this.join();
    await this.syncTo(Number.MAX_SAFE_INTEGER);
    await this.reconcile(false);
    const franked = frankPayload(text);
    const wire = await this.requireCrypto().encrypt(franked.payload);
    this.saved.own[toHex(sha256(wire))] = text;
    return { ciphertext: toBase64(wire), franking: toBase64(franked.commitment) };
  }

  /** What a report of a message needs: its text and franking key, if this device read it. */
  reportable(seq: number): { text: string; key: string } | undefined {
    const record = this.saved.records[seq];
    if (record?.status !== 'ok' || record.text === undefined || record.frankingKey === undefined) return undefined;
    return { text: record.text, key: record.frankingKey };
  }

  /** After a send was refused with stale_epoch or commit_required: catch up and commit what is needed. */
  async recover(code: string, refused?: string): Promise<void> {
    if (refused !== undefined && this.crypto?.active) {
      const wire = fromBase64(refused);
      // Never delivered: take it back so members see no false gap when the text is sent again (E2E-8).
      await this.crypto.withdraw(wire);
      delete this.saved.own[toHex(sha256(wire))];
    }
    await this.join();
    await this.syncTo(Number.MAX_SAFE_INTEGER);
    await this.reconcile(code === 'commit_required');
  }

  /** A message deleted by its sender or a moderator: its decrypted text leaves the local store too. */
  forget(seq: number): void {
    if (this.saved.records[seq] !== undefined) this.saved.records[seq] = { status: 'deleted' };
  }

  /** Messages the server deleted by retention: their records go, and holes there are not gaps. */
  expire(seqs: number[]): void {
    for (const seq of seqs) delete this.saved.records[seq];
    this.saved.expired = [...new Set([...this.saved.expired, ...seqs])].slice(-4096);
  }

  /** Joins the group if this device holds no state for it: from a Welcome, else by external commit. */
  async join(): Promise<void> {
    if (this.crypto?.active) return;
    this.crypto = undefined;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const group = await this.api.group(this.roomId);
      if (group.epoch === null) {
        if (await this.createGroup()) return;
        continue;
      }
      if (await this.joinFromWelcome()) return;
      if (group.groupInfo === undefined) throw new SalonError('unavailable', 'the room has no GroupInfo to join from');
      if (await this.joinExternal(fromBase64(group.groupInfo))) return;
    }
    throw new SalonError('stale_epoch', 'could not join the room group: its epoch kept moving');
  }

  private async createGroup(): Promise<boolean> {
    const room = await RoomCrypto.create(this.device(), {
      roomId: this.roomId,
      suite: this.suite,
      authenticate: this.directory.authenticate,
    });
    try {
      await this.api.createGroup(this.roomId, toBase64(await room.exportGroupInfo()));
    } catch (err) {
      if (err instanceof SalonError && err.code === 'conflict') return false;
      throw err;
    }
    this.crypto = room;
    return true;
  }

  private async joinFromWelcome(): Promise<boolean> {
    const device = this.device();
    const welcomes = await this.api.welcomes(device.ref.deviceId, this.roomId);
    for (const w of [...welcomes].sort((a, b) => b.seq - a.seq)) {
      try {
        this.crypto = await RoomCrypto.joinFromWelcome(device, fromBase64(w.welcome), {
          authenticate: this.directory.authenticate,
        });
        await this.hooks.deviceChanged();
        this.saved.processedSeq = Math.max(this.saved.processedSeq, w.seq);
        await this.api.deleteWelcome(device.ref.deviceId, w.id).catch(() => undefined);
        return true;
      } catch (err) {
        if (err instanceof CredentialRejectedError) this.hooks.integrity(this.roomId, w.seq, 'credential_rejected');
        // An old or foreign Welcome: drop it and try the next, or fall back to an external join.
        await this.api.deleteWelcome(device.ref.deviceId, w.id).catch(() => undefined);
      }
    }
    return false;
  }

  private async joinExternal(groupInfo: Uint8Array): Promise<boolean> {
    const joined = await RoomCrypto.joinExternal(this.device(), groupInfo, {
      authenticate: this.directory.authenticate,
    });
    try {
      const res = await this.api.postCommit(this.roomId, {
        epoch: Number(joined.epoch),
        commit: toBase64(joined.commit),
        groupInfo: toBase64(await joined.room.exportGroupInfo()),
      });
      this.crypto = joined.room;
      // Everything before our join commit predates this device: it stays undecryptable.
      this.saved.processedSeq = Math.max(this.saved.processedSeq, res.seq);
      return true;
    } catch (err) {
      if (err instanceof SalonError && err.code === 'stale_epoch') return false;
      throw err;
    }
  }

  /** Rebuilds the group state by external commit after a handshake this device could not follow (E2E-12). */
  private async rejoin(reason: string): Promise<void> {
    this.crypto = undefined;
    this.hooks.desync(this.roomId, reason);
    await this.join();
  }

  /** Processes the room's stored messages and commits after processedSeq, up to `target` (or the head). */
  private async syncTo(target: number, live?: Message): Promise<void> {
    while (this.saved.processedSeq < target) {
      const after = this.saved.processedSeq;
      if (live !== undefined && live.seq === after + 1) {
        await this.process(live, after);
        return;
      }
      const page = await this.api.messagesAfter(this.roomId, after, PAGE);
      let prev = after;
      for (const m of page) {
        if (m.seq <= this.saved.processedSeq) continue;
        await this.process(m, prev);
        prev = m.seq;
      }
      if (page.length < PAGE) return;
    }
  }

  private async process(m: Message, prevSeq: number): Promise<void> {
    const holes: number[] = [];
    for (let s = prevSeq + 1; s < m.seq; s++) holes.push(s);
    if (m.kind === 'commit') await this.processCommit(m);
    else this.saved.records[m.seq] = await this.processMessage(m, holes);
    this.saved.processedSeq = Math.max(this.saved.processedSeq, m.seq);
  }

  private async processCommit(m: Message): Promise<void> {
    const room = this.crypto;
    if (room === undefined || !room.active || m.ciphertext === undefined) return;
    try {
      const res = await room.processHandshake(fromBase64(m.ciphertext));
      for (const ref of res.added) this.directory.invalidate(ref.userId);
      if (res.removedSelf) this.crypto = undefined;
    } catch (err) {
      // An older commit: already applied (our own, or one we joined after).
      if (err instanceof StaleEpochError) return;
      const reason = err instanceof Error ? err.message : String(err);
      if (err instanceof CredentialRejectedError) this.hooks.integrity(this.roomId, m.seq, 'credential_rejected');
      // Future epoch (missed commits) or a commit that does not verify: this state cannot follow the group.
      this.saved.processedSeq = Math.max(this.saved.processedSeq, m.seq);
      await this.rejoin(reason);
    }
  }

  private async processMessage(m: Message, holes: number[]): Promise<StoredRecord> {
    const expiresAt = m.expiresAt === undefined ? undefined : Date.parse(m.expiresAt);
    const base = expiresAt === undefined ? {} : { expiresAt };
    if (m.deletedAt) return { status: 'deleted' };
    const room = this.crypto;
    if (room === undefined || m.ciphertext === undefined) return { ...base, status: 'undecryptable' };
    const wire = fromBase64(m.ciphertext);
    let result: Awaited<ReturnType<RoomCrypto['decrypt']>>;
    try {
      result = await room.decrypt(wire);
    } catch (err) {
      if (m.epoch !== undefined && BigInt(m.epoch) < room.joinedEpoch) return { ...base, status: 'undecryptable' };
      if (m.epoch !== undefined && BigInt(m.epoch) > room.epoch) {
        // A message from an epoch this state never reached: commits were lost (e.g. a restored backup). No key for
        // it here; rebuild the state so that what follows decrypts (E2E-12).
        await this.rejoin(`message of epoch ${m.epoch} while this device is at ${room.epoch}`);
        return { ...base, status: 'undecryptable' };
      }
      const reason = err instanceof DecryptError ? err.reason : 'decrypt_failed';
      this.hooks.integrity(this.roomId, m.seq, 'decrypt_failed');
      this.hooks.warning(this.roomId, `message #${m.seq} failed verification (${reason})`);
      return { ...base, status: 'unverified' };
    }
    const device = deviceLabel(result.sender);
    if (result.sender.userId !== m.sender.id) {
      // Threat: the server attributing a member's message to someone else.
      this.hooks.integrity(this.roomId, m.seq, 'fork');
      return { ...base, status: 'unverified', device };
    }
    switch (result.status) {
      case 'own': {
        const hash = toHex(result.messageHash);
        const text = this.saved.own[hash];
        delete this.saved.own[hash];
        if (text !== undefined) return { ...base, status: 'ok', text, device };
        // Our own message seen back a second time: the server replayed it.
        this.hooks.integrity(this.roomId, m.seq, 'replay');
        return { ...base, status: 'unverified', device };
      }
      case 'replay':
        this.hooks.integrity(this.roomId, m.seq, 'replay');
        return { ...base, status: 'unverified', device };
      case 'ok':
      default: {
        const opened = this.openFranked(result.plaintext, m);
        if (opened === undefined) return { ...base, status: 'unverified', device };
        const { text, frankingKey } = opened;
        if (result.status === 'ok') return { ...base, status: 'ok', text, device, frankingKey };
        if (result.status === 'gap' && this.explainedByRetention(holes)) {
          return { ...base, status: 'ok', text, device, frankingKey };
        }
        this.hooks.integrity(this.roomId, m.seq, result.status);
        return { ...base, status: 'gap', text, device, frankingKey };
      }
    }
  }

  /**
   * The text of a decrypted payload, if it matches the franking commitment the server relayed with it. A
   * message without one, or whose commitment does not match, could not be reported: it is not shown (E2E-17).
   */
  private openFranked(plaintext: Uint8Array, m: Message): { text: string; frankingKey: string } | undefined {
    try {
      if (m.franking === undefined) throw new Error('no franking commitment');
      const { text, key } = openFrankedPayload(plaintext, fromBase64(m.franking));
      return { text, frankingKey: toBase64(key) };
    } catch {
      this.hooks.integrity(this.roomId, m.seq, 'decrypt_failed');
      this.hooks.warning(this.roomId, `message #${m.seq} does not match its franking commitment`);
      return undefined;
    }
  }

  /** Messages removed by retention are not gaps (CLI.md): rooms with retention on, or seqs announced expired. */
  private explainedByRetention(holes: number[]): boolean {
    if (this.retention) return true;
    return holes.length > 0 && holes.every((s) => this.saved.expired.includes(s));
  }

  /**
   * Brings the group in line with the room: every listed device of every member in, every other device out, in
   * one commit. Compare-and-set at the server: on stale_epoch, drop the commit, catch up, and try again.
   */
  async reconcile(force: boolean): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const room = this.requireCrypto();
      const plan = await planMembership(this.api, this.directory, this.roomId, room, this.device().ref);
      const mustCommit = force || (await this.api.group(this.roomId)).commitRequired;
      if (plan.add.length === 0 && plan.remove.length === 0 && !mustCommit) return;
      let bundle: Awaited<ReturnType<RoomCrypto['commit']>>;
      try {
        bundle = await room.commit({ add: plan.add, remove: plan.remove });
      } catch (err) {
        if (!(err instanceof CredentialRejectedError)) throw err;
        // A claimed KeyPackage whose key the device list does not hold: leave that device out, report it.
        this.hooks.integrity(this.roomId, undefined, 'credential_rejected');
        bundle = await room.commit({ remove: plan.remove });
        plan.welcomeDevices = [];
      }
      const welcome = bundle.welcome && plan.welcomeDevices.length > 0 ? bundle.welcome : undefined;
      try {
        await this.api.postCommit(this.roomId, {
          epoch: Number(bundle.epoch),
          commit: toBase64(bundle.commit),
          groupInfo: toBase64(bundle.groupInfo),
          ...(welcome && { welcome: toBase64(welcome), welcomeDevices: plan.welcomeDevices }),
        });
        await room.mergePendingCommit();
        return;
      } catch (err) {
        await room.discardPendingCommit();
        if (!(err instanceof SalonError && err.code === 'stale_epoch')) throw err;
        this.hooks.staleCommit();
        await this.syncTo(Number.MAX_SAFE_INTEGER);
        if (!this.crypto?.active) await this.join();
        force = false;
      }
    }
    throw new SalonError('stale_epoch', 'the room kept changing; try again');
  }

  private requireCrypto(): RoomCrypto {
    if (!this.crypto?.active) throw new SalonError('forbidden', 'this device is not in the room group');
    return this.crypto;
  }
}

const deviceLabel = (ref: DeviceRef) => `${ref.userId}/${ref.deviceId}`;
