/**
 * A load-generator thread: owns a share of the client sockets, sends its share of a step's fixed schedule and
 * records every delivery its sockets receive. Commands come from `pool.ts` over postMessage.
 *
 * Latency is measured from the *intended* send time of the schedule (no coordinated omission): message `i` of
 * a step is due at `startAt + i * 1000 / rate` whatever happened before, its body carries that time, and a
 * late sender only makes the measured latency larger.
 *
 * With `reconnect`, a socket that the server closes comes back like the web client does (backoff 0.5-1 s,
 * doubling up to 5-10 s, equal jitter), resubscribes with `since` = the last seq it saw, and a sender re-sends
 * every message not acked yet (same clientMsgId), whether it was sent before the drop or due during it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { makeBody, parseBody } from './body.js';
import { monoMs } from './clock.js';
import { TARGETS } from './targets/index.js';
import type { ClientSpec, TargetName } from './targets/types.js';

export interface WorkerInit {
  target: TargetName;
  index: number;
  /** Add to `monoMs()` to get epoch milliseconds. */
  epochOffset: number;
}

/** A step's schedule, the same for every worker; each sends the messages whose sender socket it owns. */
export interface StepPlan {
  step: number;
  /** Monotonic ms at which message 0 is due. */
  startAt: number;
  /** Messages per second over all rooms. */
  rate: number;
  count: number;
  rooms: number;
  /** Per room, the gids that take turns sending to it: message i goes to room i % rooms. */
  senders: number[][];
  bodyBytes: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  /** Connected receivers per room index. */
  receiversPerRoom: Record<number, number>;
  errors: string[];
  ms: number;
}

export interface Counters {
  /** Distinct deliveries of the current step to receivers. */
  received: number;
  duplicates: number;
  outOfOrder: number;
  /** Deliveries carrying another step's marker (late from an earlier step). */
  stale: number;
  /** Deliveries to a socket of another room than the message's. */
  misrouted: number;
  /** Deliveries replayed from the store after a resubscription (seq <= the head in its ack). */
  recovered: number;
  acks: number;
  sent: number;
  sendFailed: number;
  errors: number;
  /** Sockets closed by the other side. */
  closed: number;
  reconnects: number;
  open: number;
}

export interface Collected extends Counters {
  latency: string;
  ack: string;
  errorCodes: Record<string, number>;
  closeCodes: Record<string, number>;
  firstError: string | null;
  eldP99Ms: number;
  eldMaxMs: number;
}

export interface ResubscribeTimes {
  /** Ms from the mark to each receiver's first successful resubscription after it. */
  times: number[];
  /** Receivers not resubscribed yet. */
  pending: number;
}

export type Request =
  | { op: 'connect'; rid: number; specs: ClientSpec[]; concurrency: number; timeoutMs: number; reconnect: boolean }
  | { op: 'step'; rid: number; plan: StepPlan }
  | { op: 'counters'; rid: number }
  | { op: 'collect'; rid: number }
  | { op: 'mark'; rid: number }
  | { op: 'resubscribed'; rid: number }
  | { op: 'close'; rid: number };

export type Reply = { rid: number; ok: true; result: unknown } | { rid: number; ok: false; error: string };

const init = workerData as WorkerInit;
const protocol = TARGETS[init.target].client;
const nowEpoch = () => monoMs() + init.epochOffset;

/** Latencies in microseconds, 1 µs to 1 h, 3 significant digits. */
const MAX_US = 3_600_000_000;
const newHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 3 });

/** The web client's reconnection policy (apps/web/src/realtime/backoff.ts). */
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const MAX_RECONNECT_ATTEMPTS = 40;
const backoffDelay = (attempt: number) => {
  const ceiling = Math.min(BACKOFF_MAX_MS, 2 * BACKOFF_MIN_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
};

interface Client {
  spec: ClientSpec;
  ws: WebSocket | null;
  /** Open, and subscribed when it is a receiver. */
  ready: boolean;
  /** One bit per message of the current step in this socket's room. */
  seen: Uint8Array;
  /** Highest order key (seq) seen on this socket: the `since` of a resubscription. */
  lastOrder: number;
  /** Order key of the last counted delivery, for the out-of-order count. */
  lastSeen: number;
  closing: boolean;
  reconnect: boolean;
  attempt: number;
  connects: number;
  /** Ms (monotonic) of the first resubscription after the last mark; NaN until then. */
  resubscribedAt: number;
  /** Head seq from the last subscribe ack: deliveries up to it are replays. */
  replayUpTo: number;
  /** With `reconnect`: sends not acked yet, by request id, in send order. */
  unacked: Map<string, string> | null;
  timer: NodeJS.Timeout | null;
}

const clients = new Map<number, Client>();
let plan: StepPlan | null = null;
let latency = newHistogram();
let ackLatency = newHistogram();
/** The histogram's samples are the gaps between timer ticks: the delay proper is what exceeds the resolution. */
const ELD_RESOLUTION_MS = 10;
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
eld.enable();
const zero = (): Counters => ({
  received: 0,
  duplicates: 0,
  outOfOrder: 0,
  stale: 0,
  misrouted: 0,
  recovered: 0,
  acks: 0,
  sent: 0,
  sendFailed: 0,
  errors: 0,
  closed: 0,
  reconnects: 0,
  open: 0,
});
let counters = zero();
let errorCodes: Record<string, number> = {};
let closeCodes: Record<string, number> = {};
let firstError: string | null = null;
let markAt = Number.NaN;
const subscribeWaiters = new Map<string, { resolve: (lastSeq: number) => void; reject: (err: Error) => void }>();

function senderOf(p: StepPlan, index: number): number {
  const list = p.senders[index % p.rooms]!;
  return list[Math.floor(index / p.rooms) % list.length]!;
}

function intendedMono(p: StepPlan, index: number): number {
  return p.startAt + (index * 1000) / p.rate;
}

function record(histogram: ReturnType<typeof newHistogram>, ms: number): void {
  histogram.recordValue(Math.min(MAX_US, Math.max(1, Math.round(ms * 1000))));
}

function acked(client: Client, requestId: string): void {
  if (client.unacked) client.unacked.delete(requestId);
}

function onDelivery(client: Client, text: string, now: number): boolean {
  const body = parseBody(text);
  if (!body) return false;
  const order = protocol.orderKey(text);
  if (order > client.lastOrder) client.lastOrder = order;
  const p = plan;
  if (!p || body.step !== p.step) {
    counters.stale++;
    return true;
  }
  if (protocol.echoIsAck && senderOf(p, body.index) === client.spec.gid) {
    const id = `${p.step}.${body.index}`;
    if (!client.unacked || client.unacked.has(id)) {
      counters.acks++;
      record(ackLatency, now - body.intendedEpochMs);
      acked(client, id);
    }
  }
  if (!client.spec.subscribe) return true;
  if (body.index % p.rooms !== client.spec.room || body.index >= p.count) {
    counters.misrouted++;
    return true;
  }
  const bit = Math.floor(body.index / p.rooms);
  const byte = bit >> 3;
  const mask = 1 << (bit & 7);
  if (client.seen[byte]! & mask) {
    counters.duplicates++;
    return true;
  }
  client.seen[byte]! |= mask;
  counters.received++;
  record(latency, now - body.intendedEpochMs);
  if (!Number.isNaN(order)) {
    if (order < client.lastSeen) counters.outOfOrder++;
    else client.lastSeen = order;
    if (order <= client.replayUpTo) counters.recovered++;
  }
  return true;
}

function onControl(client: Client, text: string): void {
  let frame: ReturnType<typeof protocol.parseControl>;
  try {
    frame = protocol.parseControl(text);
  } catch {
    return;
  }
  if (!frame) return;
  const waiter = frame.id === undefined ? undefined : subscribeWaiters.get(frame.id);
  if (waiter) {
    subscribeWaiters.delete(frame.id!);
    if (frame.kind === 'ack') waiter.resolve(frame.lastSeq ?? Number.NaN);
    else waiter.reject(new Error(`subscribe refused: ${frame.code} ${frame.message}`));
    return;
  }
  if (frame.kind === 'error') {
    counters.errors++;
    errorCodes[frame.code] = (errorCodes[frame.code] ?? 0) + 1;
    firstError ??= `${frame.code}: ${frame.message}`;
    return;
  }
  // Acks of sends carry the id `<step>.<index>`.
  const dot = frame.id.indexOf('.');
  const p = plan;
  if (dot < 0 || !p || Number(frame.id.slice(0, dot)) !== p.step) return;
  if (client.unacked && !client.unacked.has(frame.id)) return;
  acked(client, frame.id);
  counters.acks++;
  record(ackLatency, monoMs() - intendedMono(p, Number(frame.id.slice(dot + 1))));
}

/**
 * Opens (or reopens) the client's socket and subscribes it. `onFirst` settles with the first outcome; after
 * that, a reconnecting client retries on its own with backoff.
 */
function openSocket(client: Client, timeoutMs: number, onFirst?: (err: Error | null) => void): void {
  const { spec } = client;
  const ws = new WebSocket(spec.url, {
    headers: spec.headers,
    perMessageDeflate: false,
    handshakeTimeout: timeoutMs,
    // The generator trusts the servers' UTF-8: less CPU per received frame.
    skipUTF8Validation: true,
  });
  client.ws = ws;
  client.ready = false;
  let settled = false;
  const timer = setTimeout(() => fail(new Error('connect/subscribe timed out')), timeoutMs);
  const fail = (err: Error) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    ws.terminate();
    onFirst?.(err);
  };
  const ready = () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    client.ready = true;
    client.connects++;
    if (client.connects > 1) {
      counters.reconnects++;
      if (Number.isNaN(client.resubscribedAt) && !Number.isNaN(markAt)) client.resubscribedAt = monoMs();
    }
    client.attempt = 0;
    // Everything not acked goes again, in order; the server stores a clientMsgId once.
    if (client.unacked) for (const frame of client.unacked.values()) ws.send(frame);
    onFirst?.(null);
  };
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (!onDelivery(client, text, nowEpoch())) onControl(client, text);
  });
  ws.on('error', (err) => fail(err));
  ws.on('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: ${res.statusCode}`)));
  ws.on('close', (code) => {
    const wasReady = client.ws === ws && client.ready;
    if (client.ws === ws) client.ready = false;
    if (!settled) fail(new Error(`closed during connect: ${code}`));
    else if (wasReady && !client.closing) {
      counters.closed++;
      closeCodes[code] = (closeCodes[code] ?? 0) + 1;
    }
    if (client.reconnect && !client.closing && client.connects > 0) scheduleReconnect(client, timeoutMs);
  });
  ws.on('open', () => {
    if (!spec.subscribe) return ready();
    const requestId = `sub.${spec.gid}.${client.connects}.${client.attempt}`;
    const since = client.reconnect && client.lastOrder >= 0 ? client.lastOrder : undefined;
    const frame = protocol.subscribeFrame(spec.roomKey, requestId, since);
    if (!frame) return ready();
    subscribeWaiters.set(requestId, {
      resolve: (lastSeq) => {
        if (client.connects > 0 && !Number.isNaN(lastSeq)) client.replayUpTo = lastSeq;
        ready();
      },
      reject: (err) => fail(err),
    });
    ws.send(frame);
  });
}

function scheduleReconnect(client: Client, timeoutMs: number): void {
  if (client.timer || client.attempt >= MAX_RECONNECT_ATTEMPTS) return;
  const delay = backoffDelay(client.attempt++);
  client.timer = setTimeout(() => {
    client.timer = null;
    if (client.closing) return;
    openSocket(client, timeoutMs, (err) => {
      if (err && !client.closing) scheduleReconnect(client, timeoutMs);
    });
  }, delay);
}

function connectOne(spec: ClientSpec, timeoutMs: number, reconnect: boolean): Promise<void> {
  const client: Client = {
    spec,
    ws: null,
    ready: false,
    seen: new Uint8Array(0),
    lastOrder: -1,
    lastSeen: -1,
    closing: false,
    reconnect,
    attempt: 0,
    connects: 0,
    resubscribedAt: Number.NaN,
    replayUpTo: -1,
    unacked: reconnect ? new Map() : null,
    timer: null,
  };
  return new Promise<void>((resolve, reject) => {
    openSocket(client, timeoutMs, (err) => {
      if (err) {
        client.closing = true;
        reject(err);
      } else {
        clients.set(spec.gid, client);
        resolve();
      }
    });
  });
}

async function connect(
  specs: ClientSpec[],
  concurrency: number,
  timeoutMs: number,
  reconnect: boolean,
): Promise<ConnectResult> {
  const started = monoMs();
  const result: ConnectResult = { connected: 0, failed: 0, receiversPerRoom: {}, errors: [], ms: 0 };
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(concurrency, specs.length)) }, async () => {
    while (next < specs.length) {
      const spec = specs[next++]!;
      try {
        await connectOne(spec, timeoutMs, reconnect);
        result.connected++;
        if (spec.subscribe) result.receiversPerRoom[spec.room] = (result.receiversPerRoom[spec.room] ?? 0) + 1;
      } catch (err) {
        result.failed++;
        if (result.errors.length < 5) result.errors.push((err as Error).message);
      }
    }
  });
  await Promise.all(runners);
  result.ms = monoMs() - started;
  return result;
}

/** Starts receiving for `p` and sends this worker's share of its schedule; resolves after the last send. */
function runStep(p: StepPlan): Promise<{ sent: number; sendFailed: number }> {
  plan = p;
  const perRoom = Math.ceil(p.count / p.rooms);
  for (const client of clients.values()) {
    if (client.spec.subscribe) client.seen = new Uint8Array(Math.ceil(perRoom / 8) + 1);
    client.unacked?.clear();
  }
  const mine: number[] = [];
  for (let i = 0; i < p.count; i++) {
    const sender = clients.get(senderOf(p, i));
    if (!sender) continue;
    // A socket publishes to its own room only (a Django socket's room is in its URL).
    if (sender.spec.room !== i % p.rooms)
      throw new Error(`socket ${sender.spec.gid} cannot send to room ${i % p.rooms}`);
    mine.push(i);
  }
  const interval = 1000 / p.rate;
  // Hard bound: even a stalled event loop ends the step (late sends are still measured from their due time).
  const deadline = p.startAt + p.count * interval + 60_000;
  let k = 0;
  let sent = 0;
  let sendFailed = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = monoMs();
      // Every message already due goes now, in a burst if the loop was late: the schedule never slips.
      while (k < mine.length && p.startAt + mine[k]! * interval <= now) {
        const index = mine[k++]!;
        const client = clients.get(senderOf(p, index))!;
        const intended = p.startAt + index * interval + init.epochOffset;
        const requestId = `${p.step}.${index}`;
        const frame = protocol.sendFrame(
          client.spec.roomKey,
          requestId,
          makeBody(p.step, index, intended, p.bodyBytes),
          intended,
        );
        // A reconnecting sender keeps what it could not send (or what is not acked) for its next connection.
        client.unacked?.set(requestId, frame);
        if (client.ready && client.ws?.readyState === WebSocket.OPEN) {
          client.ws.send(frame);
          sent++;
        } else if (client.unacked) sent++;
        else sendFailed++;
      }
      if (k >= mine.length || now > deadline) {
        sendFailed += mine.length - k;
        counters.sent += sent;
        counters.sendFailed += sendFailed;
        resolve({ sent, sendFailed });
        return;
      }
      setTimeout(tick, Math.max(0, p.startAt + mine[k]! * interval - monoMs()));
    };
    setTimeout(tick, Math.max(0, p.startAt - monoMs()));
  });
}

function openCount(): number {
  let open = 0;
  for (const client of clients.values()) if (client.ready) open++;
  return open;
}

function collect(): Collected {
  const out: Collected = {
    ...counters,
    open: openCount(),
    latency: hdr.encodeIntoCompressedBase64(latency),
    ack: hdr.encodeIntoCompressedBase64(ackLatency),
    errorCodes,
    closeCodes,
    firstError,
    eldP99Ms: Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
    eldMaxMs: Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS),
  };
  // The step is over: anything still arriving for it counts as stale from now on.
  plan = null;
  latency = newHistogram();
  ackLatency = newHistogram();
  counters = zero();
  errorCodes = {};
  closeCodes = {};
  firstError = null;
  eld.reset();
  return out;
}

/** Marks the start of a storm: resubscription times count from here. */
function mark(): void {
  markAt = monoMs();
  for (const client of clients.values()) client.resubscribedAt = Number.NaN;
}

function resubscribed(): ResubscribeTimes {
  const out: ResubscribeTimes = { times: [], pending: 0 };
  for (const client of clients.values()) {
    if (!client.spec.subscribe) continue;
    if (Number.isNaN(client.resubscribedAt)) out.pending++;
    else out.times.push(client.resubscribedAt - markAt);
  }
  return out;
}

async function closeAll(): Promise<number> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(
    all.map(
      (client) =>
        new Promise<void>((resolve) => {
          client.closing = true;
          if (client.timer) clearTimeout(client.timer);
          const ws = client.ws;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 3000);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close();
        }),
    ),
  );
  return all.length;
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'connect':
      return connect(req.specs, req.concurrency, req.timeoutMs, req.reconnect);
    case 'step':
      return runStep(req.plan);
    case 'counters':
      return { ...counters, open: openCount() };
    case 'collect':
      return collect();
    case 'mark':
      return mark();
    case 'resubscribed':
      return resubscribed();
    case 'close':
      plan = null;
      return closeAll();
  }
}

parentPort!.on('message', (req: Request) => {
  handle(req).then(
    (result) => parentPort!.postMessage({ rid: req.rid, ok: true, result } satisfies Reply),
    (err: unknown) => parentPort!.postMessage({ rid: req.rid, ok: false, error: String(err) } satisfies Reply),
  );
});
