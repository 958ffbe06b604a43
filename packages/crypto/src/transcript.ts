import { bytesEqual, fromHex, toHex } from './bytes.js';
import { type DeviceRef, deviceKey } from './identity.js';

/**
 * Transcript integrity on top of MLS (SPEC E2E-7..E2E-9). MLS proves who wrote a message; it does not prove that
 * the server delivered every message, once, in an order consistent with what the sender saw. Each application
 * message therefore carries, in its MLS authenticated data (signed and bound to the AEAD, visible to the server),
 * the sender's per-room counter and the SHA-256 of the last message the sender saw in the room.
 */

/** Verdict on one received message: ok, or the kind of transcript anomaly it reveals. */
export type TranscriptStatus = 'ok' | 'gap' | 'fork' | 'replay' | 'own';

/** The transcript fields of one application message. */
export interface TranscriptAad {
  /** 1 for the sender's first message in the room, then +1 per message. */
  counter: number;
  /** Epoch of the message named by prevHash (0 with the genesis hash): lets a late joiner tell history it cannot
   * have (before its join) from a message the server withheld from it. */
  prevEpoch: bigint;
  /** SHA-256 of the wire bytes of the last message the sender saw (or sent) in the room; 32 zero bytes if none. */
  prevHash: Uint8Array;
}

const AAD_VERSION = 1;
/** Byte length of the encoded transcript AAD: version (1) + counter u64 (8) + prevEpoch u64 (8) + prevHash (32). */
export const TRANSCRIPT_AAD_LENGTH = 49;
/** The prevHash of a sender that has seen no message in the room yet. */
export const GENESIS_HASH: Uint8Array = new Uint8Array(32);
/** How many message hashes a device remembers for replay and gap checks; older replays fail in MLS itself. */
const SEEN_LIMIT = 4096;

/** Encodes the transcript AAD: `01 | counter u64 | prevEpoch u64 | prevHash[32]` (integers big-endian). */
export function encodeTranscriptAad(aad: TranscriptAad): Uint8Array {
  if (!Number.isSafeInteger(aad.counter) || aad.counter < 1) throw new RangeError('counter must be a positive integer');
  if (aad.prevHash.length !== 32) throw new RangeError('prevHash must be 32 bytes');
  const out = new Uint8Array(TRANSCRIPT_AAD_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = AAD_VERSION;
  view.setBigUint64(1, BigInt(aad.counter));
  view.setBigUint64(9, aad.prevEpoch);
  out.set(aad.prevHash, 17);
  return out;
}

/** Decodes the transcript AAD; undefined for any other length, version or an out-of-range counter. */
export function decodeTranscriptAad(bytes: Uint8Array): TranscriptAad | undefined {
  if (bytes.length !== TRANSCRIPT_AAD_LENGTH || bytes[0] !== AAD_VERSION) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counter = view.getBigUint64(1);
  if (counter < 1n || counter > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { counter: Number(counter), prevEpoch: view.getBigUint64(9), prevHash: bytes.slice(17) };
}

/** A message this device already accepted (or sent), remembered by the hash of its wire bytes. */
export interface SeenMessage {
  sender: DeviceRef;
  counter: number;
}

/** Result of checking one authenticated message against the transcript. */
export interface TranscriptVerdict {
  status: 'ok' | 'gap' | 'fork';
  /** Messages of this sender known to be missing (counter jump); 0 when only the prevHash is unknown. */
  missing: number;
}

interface Encoded {
  v: 1;
  ownCounter: number;
  lastHash: string;
  lastEpoch: string;
  joinedEpoch: string;
  seen: [hash: string, userId: string, deviceId: string, counter: number][];
  counters: [key: string, last: number | null][];
}

/** Per-room, per-device transcript state: own counter, last message seen, every sender's last counter. */
export class Transcript {
  private ownCounter = 0;
  private lastHash: Uint8Array = GENESIS_HASH;
  private lastEpoch = 0n;
  private readonly seen = new Map<string, SeenMessage>();
  /** null = this sender was already in the room when we joined, so its counter baseline is its first message. */
  private readonly counters = new Map<string, number | null>();
  /** What recording the latest own message changed, while it is still the latest thing recorded (not exported). */
  private lastOwn: { hash: string; counter: number; lastHash: Uint8Array; lastEpoch: bigint } | undefined;

  /** A fresh transcript; `joinedEpoch` is the first epoch whose messages this device can read (0 for the creator). */
  constructor(private readonly joinedEpoch = 0n) {}

  /** Transcript of a device entering at `joinedEpoch`, where `existing` devices may already have sent messages. */
  static joined(existing: DeviceRef[], joinedEpoch: bigint): Transcript {
    const t = new Transcript(joinedEpoch);
    for (const ref of existing) t.counters.set(deviceKey(ref), null);
    return t;
  }

  /** The counter, prevEpoch and prevHash the next own message must carry. */
  nextOwn(): TranscriptAad {
    return { counter: this.ownCounter + 1, prevEpoch: this.lastEpoch, prevHash: this.lastHash };
  }

  /** Records an own message once it is encrypted, so later messages chain to it. */
  recordOwn(self: DeviceRef, aad: TranscriptAad, hash: Uint8Array, epoch: bigint): void {
    const undo = { hash: toHex(hash), counter: this.ownCounter, lastHash: this.lastHash, lastEpoch: this.lastEpoch };
    this.ownCounter = aad.counter;
    this.remember(hash, epoch, { sender: self, counter: aad.counter });
    this.lastOwn = undo;
  }

  /**
   * Forgets the last own message because the delivery service refused it (it will never reach anyone): without
   * this, every member would see a counter jump and an unknown prevHash, a false gap (E2E-8). Only the latest own
   * message can be withdrawn, and only if nothing was recorded after it; returns whether it was.
   */
  withdrawOwn(hash: Uint8Array): boolean {
    const undo = this.lastOwn;
    if (undo === undefined || undo.hash !== toHex(hash)) return false;
    this.ownCounter = undo.counter;
    this.lastHash = undo.lastHash;
    this.lastEpoch = undo.lastEpoch;
    this.seen.delete(undo.hash);
    this.lastOwn = undefined;
    return true;
  }

  /** The message with these wire-bytes hash, if this device already accepted or sent it. */
  lookup(hash: Uint8Array): SeenMessage | undefined {
    return this.seen.get(toHex(hash));
  }

  /**
   * Checks an authenticated message. Gap: something the sender had sent or seen before it never reached us (its
   * counter jumps, or its prevHash names a message of an epoch we can read that we do not have). Fork: it
   * contradicts what we accepted (a counter not above the last one from that sender: a late, reordered message
   * or a sender that reused a counter; or a "saw nothing" claim after its first message).
   */
  check(sender: DeviceRef, aad: TranscriptAad): TranscriptVerdict {
    const last = this.counters.get(deviceKey(sender));
    const baselineKnown = typeof last === 'number';
    const genesis = bytesEqual(aad.prevHash, GENESIS_HASH);
    if ((baselineKnown && aad.counter <= last) || (genesis && aad.counter !== 1)) return { status: 'fork', missing: 0 };
    const missing = baselineKnown ? aad.counter - last - 1 : 0;
    const prevUnknown = !genesis && aad.prevEpoch >= this.joinedEpoch && !this.seen.has(toHex(aad.prevHash));
    return { status: missing > 0 || prevUnknown ? 'gap' : 'ok', missing };
  }

  /** Records an accepted message from another device. */
  recordPeer(sender: DeviceRef, aad: TranscriptAad, hash: Uint8Array, epoch: bigint): void {
    const key = deviceKey(sender);
    const last = this.counters.get(key);
    this.counters.set(key, typeof last === 'number' ? Math.max(last, aad.counter) : aad.counter);
    this.remember(hash, epoch, { sender, counter: aad.counter });
  }

  /** A device joined after us: we will see all its messages, so its first must carry counter 1. */
  memberJoined(ref: DeviceRef): void {
    this.counters.set(deviceKey(ref), 0);
  }

  /** A device left the room; a later re-join starts a fresh counter. */
  memberLeft(ref: DeviceRef): void {
    this.counters.delete(deviceKey(ref));
  }

  /** Serialises the transcript (JSON: hashes, counters and device names, never plaintext). */
  encode(): Uint8Array {
    const seen: Encoded['seen'] = [];
    for (const [hash, m] of this.seen) seen.push([hash, m.sender.userId, m.sender.deviceId, m.counter]);
    const body: Encoded = {
      v: 1,
      ownCounter: this.ownCounter,
      lastHash: toHex(this.lastHash),
      lastEpoch: this.lastEpoch.toString(),
      joinedEpoch: this.joinedEpoch.toString(),
      seen,
      counters: [...this.counters],
    };
    return new TextEncoder().encode(JSON.stringify(body));
  }

  /** Restores what `encode` produced. */
  static decode(bytes: Uint8Array): Transcript {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as Encoded;
    if (body.v !== 1) throw new Error('unknown transcript version');
    const t = new Transcript(BigInt(body.joinedEpoch));
    t.ownCounter = body.ownCounter;
    t.lastHash = fromHex(body.lastHash);
    t.lastEpoch = BigInt(body.lastEpoch);
    for (const [hash, userId, deviceId, counter] of body.seen)
      t.seen.set(hash, { sender: { userId, deviceId }, counter });
    for (const [key, last] of body.counters) t.counters.set(key, last);
    return t;
  }

  private remember(hash: Uint8Array, epoch: bigint, message: SeenMessage): void {
    this.lastOwn = undefined;
    this.seen.set(toHex(hash), message);
    this.lastHash = hash;
    this.lastEpoch = epoch;
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.keys().next().value!);
  }
}
