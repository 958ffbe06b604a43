import {
  type CiphersuiteName,
  decodeMlsMessage,
  encodeMlsMessage,
  type MLSMessage,
  type MlsMessageContent,
} from 'ts-mls';
import { SalonCryptoError } from './errors.js';
import type { DeviceRef } from './identity.js';
import { credentialDevice } from './members.js';

/** Wire formats of MLSMessage (RFC 9420 §6). */
export type WireformatName = MLSMessage['wireformat'];

/** The MLSMessage variant with the given wire format. */
export type MlsOf<W extends WireformatName> = Extract<MLSMessage, { wireformat: W }>;

/**
 * Decodes an MLSMessage of the expected wire format, refusing trailing bytes
 * (threat: two byte strings that decode to the same message would defeat hash-based replay detection).
 */
export function decodeMls<W extends WireformatName>(bytes: Uint8Array, ...expected: W[]): MlsOf<W> {
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (cause) {
    throw new SalonCryptoError('malformed', 'not an MLS message', { cause });
  }
  if (decoded === undefined || decoded[1] !== bytes.length) {
    throw new SalonCryptoError('malformed', 'not an MLS message');
  }
  const [message] = decoded;
  if (message.version !== 'mls10' || !(expected as string[]).includes(message.wireformat)) {
    throw new SalonCryptoError('malformed', `expected ${expected.join(' or ')}, got ${message.wireformat}`);
  }
  return message as MlsOf<W>;
}

/** Encodes an MLSMessage body under protocol version mls10. */
export function encodeMls(content: MlsMessageContent): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', ...content });
}

/** What anyone, the server included, can read from an MLS message without keys. */
export interface MessageInfo {
  wireformat: WireformatName;
  /** application, commit or proposal for private/public messages; undefined for the other wire formats. */
  contentType?: 'application' | 'commit' | 'proposal';
  /** The room's MLS group id (Salon uses the UTF-8 room id). */
  groupId?: Uint8Array;
  /** The epoch a handshake or application message was made in: the delivery service's compare-and-set key. */
  epoch?: bigint;
  /**
   * For a KeyPackage, the device its credential names; for an external commit, the joining device. Unverified
   * claims: the server must match `signaturePublicKey` against its device list before trusting them.
   */
  device?: DeviceRef;
  signaturePublicKey?: Uint8Array;
  /** For a KeyPackage: its ciphersuite and the end of its lifetime (Unix seconds). */
  cipherSuite?: CiphersuiteName;
  notAfter?: bigint;
}

/**
 * Reads the cleartext header of an MLS message. The delivery service uses it to enforce one commit per epoch;
 * it reveals only what RFC 9420 leaves in the clear (group id, epoch, content type), never content.
 */
export function inspectMessage(bytes: Uint8Array): MessageInfo {
  const m = decodeMls(
    bytes,
    'mls_private_message',
    'mls_public_message',
    'mls_welcome',
    'mls_group_info',
    'mls_key_package',
  );
  if (m.wireformat === 'mls_private_message') {
    const { contentType, groupId, epoch } = m.privateMessage;
    return { wireformat: m.wireformat, contentType, groupId, epoch };
  }
  if (m.wireformat === 'mls_public_message') {
    const content = m.publicMessage.content;
    const { contentType, groupId, epoch } = content;
    const leaf = content.contentType === 'commit' ? content.commit.path?.leafNode : undefined;
    if (content.sender.senderType !== 'new_member_commit' || leaf === undefined) {
      return { wireformat: m.wireformat, contentType, groupId, epoch };
    }
    const device = credentialDevice(leaf.credential);
    return {
      wireformat: m.wireformat,
      contentType,
      groupId,
      epoch,
      signaturePublicKey: leaf.signaturePublicKey,
      ...(device && { device }),
    };
  }
  if (m.wireformat === 'mls_key_package') {
    const { leafNode, cipherSuite } = m.keyPackage;
    const device = credentialDevice(leafNode.credential);
    const notAfter = leafNode.leafNodeSource === 'key_package' ? leafNode.lifetime.notAfter : undefined;
    return {
      wireformat: m.wireformat,
      cipherSuite,
      signaturePublicKey: leafNode.signaturePublicKey,
      ...(device && { device }),
      ...(notAfter !== undefined && { notAfter }),
    };
  }
  if (m.wireformat === 'mls_group_info') {
    const { groupId, epoch } = m.groupInfo.groupContext;
    return { wireformat: m.wireformat, groupId, epoch };
  }
  return { wireformat: m.wireformat };
}
