import {
  type CiphersuiteImpl,
  type ClientState,
  emptyPskIndex,
  type PrivateMessage,
  processPrivateMessage,
  zeroOutUint8Array,
} from 'ts-mls';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { bytesEqual, sha256 } from './bytes.js';
import { DecryptError } from './errors.js';
import { type DeviceRef, sameDevice } from './identity.js';
import { credentialDevice } from './members.js';
import { decodeMls } from './mlsCodec.js';
import { decodeTranscriptAad, type Transcript, type TranscriptStatus } from './transcript.js';

/** A message that decrypted and verified; `status` says whether the transcript around it is intact. */
export interface DecryptedMessage {
  status: Extract<TranscriptStatus, 'ok' | 'gap' | 'fork'>;
  plaintext: Uint8Array;
  /** The device that signed it (authenticated by MLS, checked by Salon's credential callback when it joined). */
  sender: DeviceRef;
  counter: number;
  prevHash: Uint8Array;
  /** SHA-256 of the wire bytes: what later messages name as their prevHash. */
  messageHash: Uint8Array;
  epoch: bigint;
  /** How many of this sender's messages never arrived (status gap). */
  missing: number;
}

/** Bytes this device already accepted (`replay`) or sent itself (`own`, e.g. the server's echo): no plaintext. */
export interface AlreadySeenMessage {
  status: Extract<TranscriptStatus, 'replay' | 'own'>;
  plaintext: null;
  sender: DeviceRef;
  counter: number;
  messageHash: Uint8Array;
}

/** What `RoomCrypto.decrypt` returns. */
export type DecryptResult = DecryptedMessage | AlreadySeenMessage;

/**
 * Decrypts one application message against an MLS state and a transcript. Returns the next state rather than
 * mutating, so a failure anywhere leaves the caller's state untouched (E2E-6).
 */
export async function decryptApplication(
  state: ClientState,
  impl: CiphersuiteImpl,
  transcript: Transcript,
  self: DeviceRef,
  bytes: Uint8Array,
): Promise<{ state: ClientState; result: DecryptResult }> {
  const messageHash = await sha256(bytes);
  const seen = transcript.lookup(messageHash);
  if (seen !== undefined) {
    // Checked before MLS: the message keys of an accepted message are already deleted (forward secrecy).
    const status = sameDevice(seen.sender, self) ? 'own' : 'replay';
    return { state, result: { status, plaintext: null, sender: seen.sender, counter: seen.counter, messageHash } };
  }
  let pm: PrivateMessage;
  try {
    pm = decodeMls(bytes, 'mls_private_message').privateMessage;
  } catch (cause) {
    throw new DecryptError('malformed message', { cause });
  }
  if (pm.contentType !== 'application') throw new DecryptError('not an application message');
  if (!bytesEqual(pm.groupId, state.groupContext.groupId)) throw new DecryptError('message for another room');
  const epochData =
    pm.epoch === state.groupContext.epoch
      ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree }
      : state.historicalReceiverData.get(pm.epoch);
  let processed: Awaited<ReturnType<typeof processPrivateMessage>>;
  let leafIndex: number | undefined;
  try {
    processed = await processPrivateMessage(state, pm, emptyPskIndex, impl);
    // ts-mls does not return the sender; the sender data it just authenticated names the leaf that signed.
    if (epochData !== undefined) leafIndex = (await decryptSenderData(pm, epochData.senderDataSecret, impl))?.leafIndex;
  } catch (cause) {
    throw new DecryptError(failureReason(pm.epoch, state), { cause });
  }
  if (processed.kind !== 'applicationMessage' || epochData === undefined || leafIndex === undefined) {
    throw new DecryptError('not an application message of a known epoch');
  }
  const leaf = epochData.ratchetTree[leafIndex * 2];
  const sender = leaf?.nodeType === 'leaf' ? credentialDevice(leaf.leaf.credential) : undefined;
  if (sender === undefined) throw new DecryptError('sender is not a Salon device');
  const aad = decodeTranscriptAad(pm.authenticatedData);
  // Threat: a member client that drops transcript data to hide reordering; Salon clients always send it.
  if (aad === undefined) throw new DecryptError('missing transcript data');
  const verdict = transcript.check(sender, aad);
  transcript.recordPeer(sender, aad, messageHash, pm.epoch);
  for (const secret of processed.consumed) zeroOutUint8Array(secret);
  return {
    state: processed.newState,
    result: {
      status: verdict.status,
      plaintext: processed.message,
      sender,
      counter: aad.counter,
      prevHash: aad.prevHash,
      messageHash,
      epoch: pm.epoch,
      missing: verdict.missing,
    },
  };
}

function failureReason(epoch: bigint, state: ClientState): string {
  const current = state.groupContext.epoch;
  if (epoch > current) return `epoch ${epoch} is ahead of this device (${current}): missed commits, or removed`;
  if (epoch < current && !state.historicalReceiverData.has(epoch)) {
    return `epoch ${epoch} keys are not held: sent before this device joined, or expired`;
  }
  return 'authentication or decryption failed';
}
