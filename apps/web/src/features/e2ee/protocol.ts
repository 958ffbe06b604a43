import type { EventFrame, Message, MessageReport, Room, User } from '@salon/protocol';

/**
 * What the page and the E2EE worker say to each other (structured-clone messages). The worker owns every key and
 * group state; the page only ever sees plaintext of messages that decrypted and verified.
 */

/**
 * How a message of an encrypted room reads on this device. `ok`: decrypted and verified; `gap`: verified, but
 * something before it never arrived (shown with a warning); `unverified`: failed a check, its text is withheld;
 * `before_join`: sent before this device joined the room's group; `undecryptable`: no key on this device.
 */
export type DecodeStatus = 'ok' | 'gap' | 'unverified' | 'before_join' | 'undecryptable';

export interface Decoded {
  status: DecodeStatus;
  /** Only with `ok` and `gap`. */
  text?: string;
}

/** A device as the devices screen lists it (fingerprint computed in the worker from the key). */
export interface DeviceView {
  id: string;
  name: string;
  signatureKey: string;
  fingerprint: string;
  createdAt: string;
  current: boolean;
  verified: boolean;
}

export interface DevicesReport {
  devices: DeviceView[];
  /** 60 digits in groups of five; absent when looking at oneself. */
  safetyNumber?: string;
  /** The payload of the QR code that encodes the same thing. */
  qr?: string;
  /** This profile verified the user and their device keys are still exactly the ones verified. */
  verified: boolean;
  /** This profile verified the user once, but their devices changed since. */
  changedSinceVerified: boolean;
  /** The keys the safety number covers: what "mark verified" records. */
  keys: string[];
}

/** The calls the page makes; each answers with the matching `Results` entry. */
export interface Calls {
  init: { user: User; deviceName: string };
  createRoom: { room: Room };
  openRoom: { roomId: string };
  decode: { message: Message };
  encode: { roomId: string; text: string };
  recover: { roomId: string; code: string };
  event: { event: EventFrame };
  devices: { self: User; other: User };
  verify: { other: User; keys: string[] };
  wipe: Record<string, never>;
  report: { roomId: string; seq: number; reason?: string };
}

export interface Results {
  init: { deviceId: string };
  createRoom: undefined;
  openRoom: undefined;
  decode: Decoded;
  encode: { ciphertext: string; franking?: string };
  recover: boolean;
  event: undefined;
  devices: DevicesReport;
  verify: undefined;
  wipe: undefined;
  report: MessageReport;
}

export type Method = keyof Calls;

export interface CallMessage<M extends Method = Method> {
  id: number;
  method: M;
  args: Calls[M];
}

/** What the engine reports on its own (banners and notices in the page). */
export type WorkerNotice =
  | { kind: 'integrity'; roomId: string; seq?: number; reason: string }
  | { kind: 'desync'; roomId: string; reason: string }
  | { kind: 'verification_changed'; userId: string }
  | { kind: 'warning'; roomId?: string; message: string };

export type WorkerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }
  | { notice: WorkerNotice };
