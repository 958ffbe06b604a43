import type { ClientConfig, Credential, RatchetTree } from 'ts-mls';
import {
  type AuthenticationService,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
} from 'ts-mls';
import { CredentialRejectedError } from './errors.js';
import { type DeviceRef, decodeIdentity } from './identity.js';

/**
 * Salon's credential check, replacing ts-mls's default authentication service, which accepts every credential
 * (threat: the server, or any member, adding a device the user never registered). Salon backs it with the
 * server's device list and, once a user is verified, with the verified keys.
 */
export type AuthenticateDevice = (identity: DeviceRef, signaturePublicKey: Uint8Array) => boolean | Promise<boolean>;

/** One device in a room's group, with the leaf index MLS removes it by. */
export interface Member extends DeviceRef {
  leafIndex: number;
  signaturePublicKey: Uint8Array;
}

/** The device a credential names, or undefined when it is not a canonical Salon basic credential. */
export function credentialDevice(credential: Credential): DeviceRef | undefined {
  return credential.credentialType === 'basic' ? decodeIdentity(credential.identity) : undefined;
}

/** Every device in a ratchet tree (leaves sit at even node indices; leaf index = node index / 2). */
export function membersOf(tree: RatchetTree): Member[] {
  const members: Member[] = [];
  for (let node = 0; node < tree.length; node += 2) {
    const n = tree[node];
    if (n?.nodeType !== 'leaf') continue;
    const ref = credentialDevice(n.leaf.credential);
    // Every leaf passed the credential gate when it entered; a non-Salon one here means a corrupted state.
    if (ref === undefined) throw new CredentialRejectedError(`leaf ${node / 2} holds a non-Salon credential`);
    members.push({ ...ref, leafIndex: node / 2, signaturePublicKey: n.leaf.signaturePublicKey });
  }
  return members;
}

/**
 * Wraps the caller's check into a ts-mls AuthenticationService and remembers what it refused, so that a library
 * ValidationError can be reported as a typed CredentialRejectedError naming the device.
 */
export class CredentialGate {
  private rejected: string[] = [];
  private callbackError: unknown;
  private readonly service: AuthenticationService;

  constructor(check: AuthenticateDevice) {
    this.service = {
      validateCredential: async (credential, signaturePublicKey) => {
        const ref = credentialDevice(credential);
        let ok = false;
        try {
          ok = ref !== undefined && (await check(ref, signaturePublicKey)) === true;
        } catch (err) {
          this.callbackError = err;
          throw err;
        }
        if (!ok) this.rejected.push(ref === undefined ? 'a non-Salon credential' : `${ref.userId}/${ref.deviceId}`);
        return ok;
      },
    };
  }

  /** ts-mls configuration using this gate; lifetimes are checked when a KeyPackage is added (library default). */
  clientConfig(): ClientConfig {
    return {
      keyRetentionConfig: defaultKeyRetentionConfig,
      lifetimeConfig: defaultLifetimeConfig,
      keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
      paddingConfig: defaultPaddingConfig,
      authService: this.service,
    };
  }

  /** Runs a library call; a refusal by the callback surfaces as CredentialRejectedError, its own errors as-is. */
  async run<T>(op: () => Promise<T>, mapError: (err: unknown) => Error): Promise<T> {
    this.rejected = [];
    this.callbackError = undefined;
    try {
      return await op();
    } catch (err) {
      if (this.callbackError !== undefined) throw this.callbackError;
      if (this.rejected.length > 0) throw new CredentialRejectedError(this.rejected.join(', '), { cause: err });
      throw mapError(err);
    }
  }
}
