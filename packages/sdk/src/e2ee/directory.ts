import type { DeviceRef } from '@salon/crypto';
import type { Device as ServerDevice } from '@salon/protocol';
import type { E2eeApi } from './api.js';
import { decodeJson, encodeJson, toBase64 } from './encoding.js';
import type { KeyStore } from './keyStore.js';

/** What this profile verified about a user: the device keys (base64) that were there when it confirmed. */
export interface VerifiedUser {
  userId: string;
  username: string;
  keys: string[];
  at: string;
}

const VERIFIED = 'verified';

/**
 * Who may appear in a room's group (SPEC E2E-5): a credential passes only if the server lists that device with
 * that exact key for that user, and, once this profile verified the user, only if the key is one it verified
 * (threat: the server adding a device, or swapping a key, under a real user's name).
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, Promise<ServerDevice[]>>();
  private verified: Map<string, VerifiedUser> | undefined;

  constructor(
    private readonly api: E2eeApi,
    private readonly store: KeyStore,
    /** Called when a verified user's device set no longer matches what was verified. */
    private readonly onVerificationChanged: (user: VerifiedUser, listed: ServerDevice[]) => void,
  ) {}

  /** The devices the server lists for a user (cached until `invalidate`). */
  devices(userId: string, opts: { refresh?: boolean } = {}): Promise<ServerDevice[]> {
    let entry = opts.refresh ? undefined : this.cache.get(userId);
    if (entry === undefined) {
      entry = this.api.userDevices(userId);
      this.cache.set(userId, entry);
      entry.then(
        (list) => void this.checkVerified(userId, list),
        () => this.cache.delete(userId),
      );
    }
    return entry;
  }

  /** Forgets a user's cached devices (on `device.added` / `device.removed`). */
  invalidate(userId?: string): void {
    if (userId === undefined) this.cache.clear();
    else this.cache.delete(userId);
  }

  /** The credential check handed to RoomCrypto: listed by the server with this key, and verified if verified. */
  readonly authenticate = async (ref: DeviceRef, signaturePublicKey: Uint8Array): Promise<boolean> => {
    const key = toBase64(signaturePublicKey);
    const listed = (list: ServerDevice[]) =>
      list.some((d) => d.id === ref.deviceId && d.userId === ref.userId && d.signatureKey === key);
    // A device added since the cache was filled is worth one fresh look before refusing.
    if (!listed(await this.devices(ref.userId)) && !listed(await this.devices(ref.userId, { refresh: true }))) {
      return false;
    }
    const verified = (await this.loadVerified()).get(ref.userId);
    return verified === undefined || verified.keys.includes(key);
  };

  /** The verification record of a user, if this profile confirmed them. */
  async verifiedUser(userId: string): Promise<VerifiedUser | undefined> {
    return (await this.loadVerified()).get(userId);
  }

  /** Marks a user verified with the device keys listed now. */
  async markVerified(user: { id: string; username: string }, keys: string[]): Promise<VerifiedUser> {
    const all = await this.loadVerified(true);
    const record: VerifiedUser = {
      userId: user.id,
      username: user.username,
      keys: [...keys].sort(),
      at: new Date().toISOString(),
    };
    all.set(user.id, record);
    await this.store.put(VERIFIED, encodeJson([...all.values()]));
    return record;
  }

  private async loadVerified(fresh = false): Promise<Map<string, VerifiedUser>> {
    if (this.verified === undefined || fresh) {
      const bytes = await this.store.get(VERIFIED);
      const list = bytes ? decodeJson<VerifiedUser[]>(bytes) : [];
      this.verified = new Map(list.map((v) => [v.userId, v]));
    }
    return this.verified;
  }

  private async checkVerified(userId: string, list: ServerDevice[]): Promise<void> {
    const verified = (await this.loadVerified()).get(userId);
    if (verified === undefined) return;
    const now = list.map((d) => d.signatureKey).sort();
    if (now.length !== verified.keys.length || now.some((k, i) => k !== verified.keys[i])) {
      this.onVerificationChanged(verified, list);
    }
  }
}
