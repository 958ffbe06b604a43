// Renamed on import: it is not a React hook, whatever its name says.
import { useCryptoProvider as selectCryptoProvider } from '@salon/crypto';
import type { Message } from '@salon/protocol';
import { E2eeEngine } from '@salon/sdk/e2ee';
import { nobleCryptoProvider } from 'ts-mls';
import type { CallMessage, Calls, Decoded, DevicesReport, Method, Results, WorkerMessage } from '../protocol';
import { IdbKeyStore } from './idbKeyStore';
import { fetchRequest } from './request';

/**
 * The E2EE engine of this tab, off the main thread: MLS commits (a post-quantum one takes tens of milliseconds
 * per member) never freeze the interface. It holds the device key and every group state; the page sends it
 * calls and gets back ciphertexts to send and plaintexts to show.
 */

/** The worker's global scope, typed by hand: the project's DOM lib cannot be mixed with the WebWorker lib. */
interface WorkerScope {
  postMessage(message: WorkerMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<CallMessage>) => void): void;
}

const scope = self as unknown as WorkerScope;

let engine: E2eeEngine | undefined;
let store: IdbKeyStore | undefined;
let deviceId: string | undefined;
let topUpTimer: ReturnType<typeof setInterval> | undefined;
const TOP_UP_INTERVAL_MS = 10 * 60_000;

/** ts-mls's default provider needs Ed25519 and X25519 in WebCrypto; where either is missing, noble does it all. */
async function chooseCryptoProvider(): Promise<void> {
  try {
    await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  } catch {
    selectCryptoProvider(nobleCryptoProvider);
  }
}

const providerReady = chooseCryptoProvider();

function notify(message: WorkerMessage): void {
  scope.postMessage(message);
}

function requireEngine(): E2eeEngine {
  if (engine === undefined) throw new Error('the encryption engine is not started');
  return engine;
}

async function init({ user, deviceName }: Calls['init']): Promise<Results['init']> {
  await providerReady;
  store = await IdbKeyStore.open(user.id);
  const next = new E2eeEngine({ store, request: fetchRequest, deviceName });
  next.on('integrity', (r) => notify({ notice: { kind: 'integrity', ...r } }));
  next.on('desync', (d) => notify({ notice: { kind: 'desync', ...d } }));
  next.on('warning', (w) => {
    if (w.kind === 'verification_changed' && w.userId !== undefined) {
      notify({ notice: { kind: 'verification_changed', userId: w.userId } });
    } else {
      notify({
        notice: { kind: 'warning', ...(w.roomId === undefined ? {} : { roomId: w.roomId }), message: w.message },
      });
    }
  });
  engine = next;
  const device = await next.ensureDevice(user);
  deviceId = device.ref.deviceId;
  // Every Welcome to this device uses up one of its KeyPackages: keep a supply at the server while the tab is open.
  clearInterval(topUpTimer);
  topUpTimer = setInterval(() => void engine?.topUp().catch(() => undefined), TOP_UP_INTERVAL_MS);
  return { deviceId };
}

/** The engine's status, with "undecryptable" split: a message of an epoch before this device joined is expected. */
async function decode(message: Message): Promise<Decoded> {
  const e = requireEngine();
  const { status, text } = await e.decode(message);
  if (status === 'ok' || status === 'gap') return text === undefined ? { status: 'undecryptable' } : { status, text };
  if (status === 'unverified') return { status };
  let group = (await e.session(message.roomId))?.group;
  if (group?.active !== true) {
    // Processing the stream up to this message may have shown that this device had been removed (its state
    // was stale): rejoin now, so the message is told apart as one from before this device (re)joined.
    await e.openRoom(message.roomId).catch(() => undefined);
    group = (await e.session(message.roomId))?.group;
  }
  if (message.epoch !== undefined && group !== undefined && BigInt(message.epoch) < group.joinedEpoch) {
    return { status: 'before_join' };
  }
  return { status: 'undecryptable' };
}

async function devices({ self: me, other }: Calls['devices']): Promise<DevicesReport> {
  const e = requireEngine();
  const listed = await e.listDevices(other.id);
  const devices = listed.devices.map(({ id, name, signatureKey, fingerprint, createdAt, current, verified }) => ({
    id,
    name,
    signatureKey,
    fingerprint,
    createdAt,
    current,
    verified,
  }));
  if (other.id === me.id) {
    return { devices, verified: true, changedSinceVerified: false, keys: devices.map((d) => d.signatureKey) };
  }
  const safety = await e.safetyNumber(me, other);
  const record = await e.directory.verifiedUser(other.id);
  return {
    devices,
    safetyNumber: safety.safetyNumber,
    qr: safety.qr,
    verified: safety.verified,
    changedSinceVerified: record !== undefined && !safety.verified,
    keys: safety.keys,
  };
}

/** Forgets this user's keys here, after telling the server the device is gone (its rooms then commit it out). */
async function wipe(): Promise<undefined> {
  if (deviceId !== undefined) {
    await fetchRequest('DELETE', `/api/devices/${encodeURIComponent(deviceId)}`).catch(() => undefined);
  }
  clearInterval(topUpTimer);
  await store?.wipe();
  store?.close();
  engine = undefined;
  store = undefined;
  deviceId = undefined;
  return undefined;
}

type Handlers = { [M in Method]: (args: Calls[M]) => Promise<Results[M]> };

const handlers: Handlers = {
  init,
  createRoom: async ({ room }) => {
    await requireEngine().createRoom(room);
    return undefined;
  },
  openRoom: async ({ roomId }) => {
    await requireEngine().openRoom(roomId);
    return undefined;
  },
  decode: async ({ message }) => decode(message),
  encode: async ({ roomId, text }) => {
    const payload = await requireEngine().encode(roomId, text);
    if (payload.ciphertext === undefined) throw new Error('this room is not encrypted');
    return { ciphertext: payload.ciphertext, ...(payload.franking ? { franking: payload.franking } : {}) };
  },
  recover: async ({ roomId, code }) => requireEngine().recover(roomId, code),
  report: async ({ roomId, seq, reason }) => requireEngine().report(roomId, seq, reason),
  event: async ({ event }) => {
    requireEngine().onEvent(event);
    return undefined;
  },
  devices,
  verify: async ({ other, keys }) => {
    await requireEngine().confirmVerified(other, keys);
    return undefined;
  },
  wipe,
};

scope.addEventListener('message', (event: MessageEvent<CallMessage>) => {
  const { id, method, args } = event.data;
  const handler = handlers[method] as (a: typeof args) => Promise<unknown>;
  handler(args).then(
    (value) => notify({ id, ok: true, value }),
    (err: unknown) => {
      const code =
        typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'e2ee_failed';
      notify({ id, ok: false, error: { code, message: err instanceof Error ? err.message : String(err) } });
    },
  );
});
