import { ed25519 } from '@noble/curves/ed25519.js';
import {
  type CiphersuiteImpl,
  defaultCapabilities,
  generateKeyPackageWithKey,
  type KeyPackage,
  type PrivateKeyPackage,
  type Welcome,
} from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { fromHex, toHex } from './bytes.js';
import { SalonCryptoError } from './errors.js';
import { type DeviceRef, encodeIdentity } from './identity.js';
import { decodeMls, encodeMls } from './mlsCodec.js';
import { loadSuite, type SuiteId } from './suites.js';

/** KeyPackages expire after 28 days (ts-mls caps total lifetime at one month); stale init keys get no use. */
const KEY_PACKAGE_LIFETIME_S = 28n * 24n * 3600n;
/** Start an hour early so a device whose clock runs behind can still use a fresh package. */
const CLOCK_SKEW_S = 3600n;

/** A KeyPackage with its private keys, held until a Welcome consumes it. */
export interface OwnKeyPackage {
  suite: SuiteId;
  publicPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
  lastResort: boolean;
}

/** What a device uploads to the server's KeyPackage directory. */
export interface KeyPackageBatch {
  /** Single-use packages (each claimed at most once by the server). */
  keyPackages: Uint8Array[];
  /** Reused when the single-use ones run out, so the device stays reachable; absent if not asked for. */
  lastResort?: Uint8Array;
}

interface EncodedDevice {
  v: 1;
  userId: string;
  deviceId: string;
  signKey: string;
  packages: { suite: SuiteId; lastResort: boolean; kp: string; init: string; hpke: string }[];
}

/**
 * One Salon device (a browser or CLI profile): its Ed25519 signing key and the private halves of the KeyPackages
 * it published. The private key never leaves this object except through `export`, whose bytes the caller must
 * store encrypted (issue item 7).
 */
export class Device {
  private readonly packages = new Map<string, OwnKeyPackage>();

  private constructor(
    /** The user and device this key belongs to. */
    readonly ref: DeviceRef,
    private readonly signKey: Uint8Array,
    /** Ed25519 public key: what the server lists for this device and what safety numbers are computed from. */
    readonly signaturePublicKey: Uint8Array,
  ) {}

  /** Creates a device with a fresh Ed25519 key (raw 32-byte seed, usable by both ts-mls crypto providers). */
  static generate(ref: DeviceRef): Device {
    encodeIdentity(ref); // fail now, not at the first KeyPackage, on ids that cannot be a credential
    const signKey = ed25519.utils.randomSecretKey();
    return new Device({ ...ref }, signKey, ed25519.getPublicKey(signKey));
  }

  /**
   * Creates `count` single-use KeyPackages for a suite, plus one last-resort package unless told not to (top-ups
   * pass `lastResort: false`; earlier last-resort packages stay usable until the device is re-exported without them).
   */
  async createKeyPackages(
    suite: SuiteId,
    count: number,
    options: { lastResort?: boolean } = {},
  ): Promise<KeyPackageBatch> {
    if (!Number.isInteger(count) || count < 0 || count > 1000) {
      throw new SalonCryptoError('invalid_argument', 'count must be an integer in 0..1000');
    }
    const impl = await loadSuite(suite);
    const keyPackages: Uint8Array[] = [];
    for (let i = 0; i < count; i++) keyPackages.push(await this.store(await this.newKeyPackage(suite), impl, false));
    if (options.lastResort === false) return { keyPackages };
    return { keyPackages, lastResort: await this.store(await this.newKeyPackage(suite), impl, true) };
  }

  /** Number of unused single-use KeyPackages held for a suite, so the client knows when to top up. */
  unusedKeyPackages(suite: SuiteId): number {
    let n = 0;
    for (const p of this.packages.values()) if (p.suite === suite && !p.lastResort) n++;
    return n;
  }

  /** A KeyPackage that is never published, for joining by external commit. */
  newKeyPackage(suite: SuiteId): Promise<OwnKeyPackage> {
    return this.generateKeyPackage(suite);
  }

  /**
   * Finds the KeyPackage a Welcome is addressed to and consumes it: a single-use package is deleted at once
   * (threat: its init key reused to decrypt a second Welcome), the last-resort package is kept.
   */
  async takeKeyPackage(welcome: Welcome): Promise<OwnKeyPackage> {
    for (const secret of welcome.secrets) {
      const key = toHex(secret.newMember);
      const found = this.packages.get(key);
      if (found === undefined) continue;
      if (!found.lastResort) this.packages.delete(key);
      return found;
    }
    throw new SalonCryptoError('unknown_key_package', 'this Welcome is not addressed to any KeyPackage of this device');
  }

  /** Serialises the device (signing key and private KeyPackages): store it encrypted at rest. */
  export(): Uint8Array {
    const body: EncodedDevice = {
      v: 1,
      userId: this.ref.userId,
      deviceId: this.ref.deviceId,
      signKey: toHex(this.signKey),
      packages: [...this.packages.values()].map((p) => ({
        suite: p.suite,
        lastResort: p.lastResort,
        kp: toHex(encodeMls({ wireformat: 'mls_key_package', keyPackage: p.publicPackage })),
        init: toHex(p.privatePackage.initPrivateKey),
        hpke: toHex(p.privatePackage.hpkePrivateKey),
      })),
    };
    return new TextEncoder().encode(JSON.stringify(body));
  }

  /** Restores a device from `export` bytes. */
  static async import(bytes: Uint8Array): Promise<Device> {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as EncodedDevice;
    if (body.v !== 1) throw new SalonCryptoError('malformed', 'unknown device export version');
    const signKey = fromHex(body.signKey);
    const device = new Device({ userId: body.userId, deviceId: body.deviceId }, signKey, ed25519.getPublicKey(signKey));
    for (const p of body.packages) {
      const { keyPackage } = decodeMls(fromHex(p.kp), 'mls_key_package');
      const privatePackage = {
        initPrivateKey: fromHex(p.init),
        hpkePrivateKey: fromHex(p.hpke),
        signaturePrivateKey: signKey,
      };
      const own: OwnKeyPackage = {
        suite: p.suite,
        publicPackage: keyPackage,
        privatePackage,
        lastResort: p.lastResort,
      };
      device.packages.set(toHex(await makeKeyPackageRef(keyPackage, (await loadSuite(p.suite)).hash)), own);
    }
    return device;
  }

  /** The signing key, for ts-mls only (a joined group state holds it too). */
  signingKeyPair(): { signKey: Uint8Array; publicKey: Uint8Array } {
    return { signKey: this.signKey, publicKey: this.signaturePublicKey };
  }

  private async generateKeyPackage(suite: SuiteId): Promise<OwnKeyPackage> {
    const impl = await loadSuite(suite);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const lifetime = { notBefore: now - CLOCK_SKEW_S, notAfter: now + KEY_PACKAGE_LIFETIME_S };
    const credential = { credentialType: 'basic' as const, identity: encodeIdentity(this.ref) };
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      credential,
      defaultCapabilities(),
      lifetime,
      [],
      this.signingKeyPair(),
      impl,
    );
    return { suite, publicPackage, privatePackage, lastResort: false };
  }

  private async store(own: OwnKeyPackage, impl: CiphersuiteImpl, lastResort: boolean): Promise<Uint8Array> {
    const ref = toHex(await makeKeyPackageRef(own.publicPackage, impl.hash));
    this.packages.set(ref, { ...own, lastResort });
    return encodeMls({ wireformat: 'mls_key_package', keyPackage: own.publicPackage });
  }
}
