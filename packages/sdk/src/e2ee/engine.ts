import { Device, isSuiteId, SUITES, type SuiteId } from '@salon/crypto';
import type { EventFrame, Message, MessageReport, Room, User } from '@salon/protocol';
import type { EncodedPayload, ReceivedMessage, RoomCodec } from '../codec.js';
import { Emitter } from '../emitter.js';
import { SalonError } from '../errors.js';
import { E2eeApi, type Request } from './api.js';
import { DeviceDirectory, type VerifiedUser } from './directory.js';
import { decodeJson, encodeJson, fromBase64, randomId, toBase64 } from './encoding.js';
import type { KeyStore } from './keyStore.js';
import { fingerprint, safetyNumber } from './safety.js';
import { RoomSession } from './session.js';

/** What the engine tells the application (the CLI prints these on standard error, the web shows banners). */
export type E2eeEvents = {
  /** A message failed a check and was reported to the server (`reason`: decrypt_failed, gap, fork, replay, ...). */
  integrity: (report: { roomId: string; seq?: number; reason: string }) => void;
  /** This device lost track of a room's group and rejoined it by external commit (desync recovery). */
  desync: (info: { roomId: string; reason: string }) => void;
  /** Anything else worth showing: a verified user's devices changed, a message failed verification. */
  warning: (warning: {
    kind: 'verification_changed' | 'message';
    roomId?: string;
    userId?: string;
    message: string;
  }) => void;
};

export interface E2eeOptions {
  /** Where the device key, group states and decrypted history live (sealed at rest by the caller's choice). */
  store: KeyStore;
  /** The SDK's REST transport (SalonClient passes its own). */
  request: Request;
  /** A name for this device in device lists (default "salon sdk"). */
  deviceName?: string;
  /** Single-use KeyPackages uploaded per suite at a time (default 10), and the level that triggers a top-up (3). */
  keyPackageBatch?: number;
  keyPackageLowWater?: number;
  /** Reconcile rooms in the background on member and device events (default true). */
  autoReconcile?: boolean;
}

/** A device as `devices` lists it, with the fingerprint computed here from the key (not taken from the server). */
export interface ListedDevice {
  id: string;
  userId: string;
  name: string;
  signatureKey: string;
  fingerprint: string;
  createdAt: string;
  current: boolean;
  verified: boolean;
}

interface SavedDevice {
  v: 1;
  version: string;
  device: string;
}

const DEVICE = 'device';
const TOP_UP_INTERVAL_MS = 10 * 60_000;
const ALL_SUITES = Object.keys(SUITES).map(Number) as SuiteId[];

/**
 * End-to-end encryption for one profile: its device (key, KeyPackages), one `RoomSession` per encrypted room,
 * the device directory behind the credential check, and safety numbers. It is the `RoomCodec` SalonClient
 * encodes and decodes through, so encrypted rooms are transparent to the application; plaintext rooms pass through.
 */
export class E2eeEngine extends Emitter<E2eeEvents> implements RoomCodec {
  readonly api: E2eeApi;
  readonly directory: DeviceDirectory;
  private current: Device | undefined;
  private deviceVersion = '';
  private readonly sessions = new Map<string, Promise<RoomSession | null>>();
  private readonly pendingReconcile = new Set<string>();
  private lastTopUpCheck = 0;
  /** Counters for monitoring and tests: commits the server refused as stale (another member's won the epoch). */
  readonly stats = { staleCommits: 0, rejoins: 0 };

  constructor(private readonly options: E2eeOptions) {
    super();
    this.api = new E2eeApi(options.request);
    this.directory = new DeviceDirectory(this.api, options.store, (user, listed) => {
      const message = `${user.username}'s devices changed since you verified them (${listed.length} listed now): run salon verify ${user.username}`;
      this.emit('warning', { kind: 'verification_changed', userId: user.userId, message });
    });
  }

  /** This profile's device, once `ensureDevice` or `loadDevice` found or made it. */
  get device(): Device | undefined {
    return this.current;
  }

  /** Loads the stored device, if any, without contacting the server. */
  async loadDevice(): Promise<Device | undefined> {
    const bytes = await this.options.store.get(DEVICE);
    if (bytes === undefined) return undefined;
    const saved = decodeJson<SavedDevice>(bytes);
    if (saved.version !== this.deviceVersion) {
      this.current = await Device.import(fromBase64(saved.device));
      this.deviceVersion = saved.version;
    }
    return this.current;
  }

  /**
   * Makes sure the profile has a device for `user`, registered at the server with KeyPackages for both suites
   * (called on register and login); creates one if the profile has none or holds another user's.
   */
  async ensureDevice(user: User): Promise<Device> {
    return this.options.store.exclusive(async () => {
      let device = await this.loadDevice();
      if (device === undefined || device.ref.userId !== user.id) {
        device = Device.generate({ userId: user.id, deviceId: randomId(16) });
        this.current = device;
        await this.saveDevice();
        await this.api.registerDevice({
          id: device.ref.deviceId,
          name: this.options.deviceName ?? 'salon sdk',
          signatureKey: toBase64(device.signaturePublicKey),
        });
        for (const suite of ALL_SUITES) await this.upload(suite, true);
        return device;
      }
      await this.topUpLocked();
      this.lastTopUpCheck = Date.now();
      return device;
    });
  }

  /** Uploads more single-use KeyPackages for every suite whose count at the server runs low. */
  topUp(): Promise<void> {
    return this.options.store.exclusive(() => this.topUpLocked());
  }

  private async topUpLocked(): Promise<void> {
    const device = this.requireDevice();
    for (const suite of ALL_SUITES) {
      const available = await this.api.availableKeyPackages(device.ref.deviceId, suite);
      if (available < (this.options.keyPackageLowWater ?? 3)) await this.upload(suite, false);
    }
  }

  private async upload(suite: SuiteId, lastResort: boolean): Promise<void> {
    const device = this.requireDevice();
    const batch = await device.createKeyPackages(suite, this.options.keyPackageBatch ?? 10, { lastResort });
    // Saved before upload: a package the server hands out must have its private key here.
    await this.saveDevice();
    await this.api.uploadKeyPackages(device.ref.deviceId, {
      suite,
      keyPackages: batch.keyPackages.map(toBase64),
      ...(batch.lastResort && { lastResort: toBase64(batch.lastResort) }),
    });
  }

  private async saveDevice(): Promise<void> {
    const device = this.requireDevice();
    this.deviceVersion = randomId(8);
    const saved: SavedDevice = { v: 1, version: this.deviceVersion, device: toBase64(device.export()) };
    await this.options.store.put(DEVICE, encodeJson(saved));
  }

  private requireDevice(): Device {
    if (this.current === undefined) throw new SalonError('unauthenticated', 'this profile has no device: log in again');
    return this.current;
  }

  // RoomCodec

  /** Encrypts for an encrypted room (joining and reconciling its group first); plaintext rooms get `body`. */
  async encode(roomId: string, text: string): Promise<EncodedPayload> {
    const session = await this.session(roomId);
    if (session === null) return { body: text };
    const encrypted = await this.locked(session, () => session.encrypt(text));
    this.maybeTopUp();
    return encrypted;
  }

  /**
   * Other members' commits consume this device's KeyPackages without telling it: check the count now and then
   * (at most every 10 minutes per process) so the device stays reachable by Welcome.
   */
  private maybeTopUp(): void {
    const now = Date.now();
    if (now - this.lastTopUpCheck < TOP_UP_INTERVAL_MS) return;
    this.lastTopUpCheck = now;
    this.topUp().catch(() => {
      this.lastTopUpCheck = 0;
    });
  }

  /** Decrypts (or recalls) an encrypted room's message; commits are processed and come back as `ok` without text. */
  async decode(message: Message): Promise<Pick<ReceivedMessage, 'text' | 'status'>> {
    if (message.deletedAt) {
      if (message.ciphertext === undefined && message.body === undefined) {
        await this.withSession(message.roomId, (s) => s.forget(message.seq));
      }
      return { status: 'deleted' };
    }
    if (message.ciphertext === undefined) {
      return message.body === undefined ? { status: 'undecryptable' } : { text: message.body, status: 'ok' };
    }
    const session = await this.session(message.roomId);
    if (session === null) return { status: 'undecryptable' };
    const record = await this.locked(session, () => session.decode(message));
    return record.text === undefined ? { status: record.status } : { text: record.text, status: record.status };
  }

  /** A send refused with stale_epoch or commit_required: catch up and commit, so the retry can succeed. */
  async recover(roomId: string, code: string, refused?: EncodedPayload): Promise<boolean> {
    if (code !== 'stale_epoch' && code !== 'commit_required') return false;
    const session = await this.session(roomId);
    if (session === null) return false;
    await this.locked(session, () => session.recover(code, refused?.ciphertext));
    return true;
  }

  /** Reacts to room events: device and member changes reconcile the group, expiries prune the history. */
  onEvent(event: EventFrame): void {
    const roomId = event.roomId;
    const details = event as unknown as Record<string, unknown>;
    if (event.kind === 'device.added' || event.kind === 'device.removed') {
      this.directory.invalidate(typeof details.userId === 'string' ? details.userId : undefined);
    }
    if (roomId === undefined) return;
    if (event.kind === 'message.deleted' && typeof details.seq === 'number') {
      const seq = details.seq;
      void this.withSession(roomId, (s) => s.forget(seq));
      return;
    }
    if (event.kind === 'message.expired' && Array.isArray(details.seqs)) {
      const seqs = details.seqs.filter((s): s is number => typeof s === 'number');
      void this.withSession(roomId, (s) => s.expire(seqs));
      return;
    }
    const membership = [
      'device.added',
      'device.removed',
      'member.joined',
      'member.left',
      'member.kicked',
      'member.banned',
    ];
    if (membership.includes(event.kind) && this.options.autoReconcile !== false) this.scheduleReconcile(roomId);
  }

  /** Makes the room's group match its members now (what sends do first anyway). */
  async reconcile(roomId: string): Promise<void> {
    const session = await this.session(roomId);
    if (session === null) return;
    await this.locked(session, async () => {
      await session.join();
      await session.recover('reconcile');
    });
  }

  /**
   * Reports a message of an encrypted room to its moderators by revealing its text and franking key (SPEC
   * E2E-17); the server accepts it only if they match what the sender committed to. Only a message this device
   * decrypted and verified can be reported.
   */
  async report(roomId: string, seq: number, reason?: string): Promise<MessageReport> {
    const session = await this.session(roomId);
    if (session === null)
      throw new SalonError('invalid_request', 'only messages of encrypted rooms are reported this way');
    const found = await this.locked(session, async () => session.reportable(seq));
    if (found === undefined)
      throw new SalonError('not_found', `message #${seq} was not read and verified on this device`);
    return (await this.api.reportMessage(roomId, { seq, ...found, ...(reason ? { reason } : {}) })).report;
  }

  /** Opens an encrypted room's group for this device (Welcome or external commit) and catches up with it. */
  async openRoom(roomId: string): Promise<void> {
    const session = await this.session(roomId);
    if (session === null) return;
    await this.locked(session, () => session.recover('open'));
  }

  /** Creates the group of a room this user just created. */
  async createRoom(room: Room): Promise<void> {
    if (!room.encrypted) return;
    this.remember(room);
    await this.openRoom(room.id);
  }

  /** Forgets the cached room info (e.g. after a kick). */
  forgetRoom(roomId: string): void {
    this.sessions.delete(roomId);
  }

  /** The session of an encrypted room (tests use it to export state); null for plaintext rooms. */
  async session(roomId: string): Promise<RoomSession | null> {
    let entry = this.sessions.get(roomId);
    if (entry === undefined) {
      entry = this.options
        .request<{ room: Room }>('GET', `/api/rooms/${encodeURIComponent(roomId)}`)
        .then(({ room }) => this.makeSession(room));
      this.sessions.set(roomId, entry);
      entry.catch(() => this.sessions.delete(roomId));
    }
    return entry;
  }

  private remember(room: Room): void {
    this.sessions.set(room.id, Promise.resolve(this.makeSession(room)));
  }

  private makeSession(room: Room): RoomSession | null {
    if (!room.encrypted) return null;
    const suite = room.suite !== undefined && isSuiteId(room.suite) ? room.suite : 84;
    return new RoomSession(
      room.id,
      suite,
      room.retentionSeconds !== undefined,
      () => this.requireDevice(),
      this.api,
      this.directory,
      this.options.store,
      {
        integrity: (roomId, seq, reason) => {
          this.emit('integrity', { roomId, ...(seq === undefined ? {} : { seq }), reason });
          void this.api
            .reportIntegrity(roomId, seq === undefined ? { reason } : { seq, reason })
            .catch(() => undefined);
        },
        desync: (roomId, reason) => {
          this.stats.rejoins++;
          this.emit('desync', { roomId, reason });
        },
        staleCommit: () => {
          this.stats.staleCommits++;
        },
        warning: (roomId, message) => this.emit('warning', { kind: 'message', roomId, message }),
        deviceChanged: () => this.saveDevice(),
      },
    );
  }

  /** Runs a session operation under the store lock, with the device and the room state freshly loaded. */
  private locked<T>(session: RoomSession, op: () => Promise<T>): Promise<T> {
    return this.options.store.exclusive(async () => {
      await this.loadDevice();
      this.requireDevice();
      await session.load();
      try {
        return await op();
      } finally {
        await session.save();
      }
    });
  }

  private async withSession(roomId: string, op: (s: RoomSession) => void): Promise<void> {
    const session = await this.session(roomId).catch(() => null);
    if (session) await this.locked(session, async () => op(session));
  }

  private scheduleReconcile(roomId: string): void {
    if (this.pendingReconcile.has(roomId)) return;
    this.pendingReconcile.add(roomId);
    setTimeout(() => {
      this.pendingReconcile.delete(roomId);
      this.reconcile(roomId).catch(() => undefined);
    }, 50);
  }

  // Devices and verification

  /** A user's devices as the server lists them, with fingerprints computed here and the verified mark. */
  async listDevices(user: string): Promise<{ userId: string; devices: ListedDevice[] }> {
    const res = await this.options.request<{ user?: User; devices: import('@salon/protocol').Device[] }>(
      'GET',
      `/api/users/${encodeURIComponent(user)}/devices`,
    );
    const userId = res.user?.id ?? res.devices[0]?.userId ?? user;
    const verified = await this.directory.verifiedUser(userId);
    const own = this.current?.ref.deviceId;
    return {
      userId,
      devices: res.devices.map((d) => ({
        id: d.id,
        userId: d.userId,
        name: d.name,
        signatureKey: d.signatureKey,
        fingerprint: fingerprint(fromBase64(d.signatureKey)),
        createdAt: d.createdAt,
        current: d.id === own,
        verified: verified?.keys.includes(d.signatureKey) ?? false,
      })),
    };
  }

  /** The safety number between the logged-in user and `other`, and whether this profile verified `other`. */
  async safetyNumber(
    self: User,
    other: User,
  ): Promise<{ safetyNumber: string; qr: string; verified: boolean; keys: string[] }> {
    const [mine, theirs] = await Promise.all([this.api.userDevices(self.id), this.api.userDevices(other.id)]);
    const keys = theirs.map((d) => d.signatureKey).sort();
    const number = safetyNumber(
      { userId: self.id, keys: mine.map((d) => fromBase64(d.signatureKey)) },
      { userId: other.id, keys: keys.map(fromBase64) },
    );
    const record = await this.directory.verifiedUser(other.id);
    const verified =
      record !== undefined && record.keys.length === keys.length && record.keys.every((k, i) => k === keys[i]);
    return { ...number, verified, keys };
  }

  /** Marks `other` verified with the device keys listed now (after comparing the safety number out of band). */
  async confirmVerified(other: User, keys: string[]): Promise<VerifiedUser> {
    return this.options.store.exclusive(() => this.directory.markVerified(other, keys));
  }
}
