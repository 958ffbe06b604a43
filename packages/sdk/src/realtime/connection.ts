import { CLOSE_CODES, type ClientFrame, MAX_FRAME_BYTES, type Message } from '@salon/protocol';
import WebSocket from 'ws';
import { decodeWith, type EncodedPayload } from '../codec.js';
import { Emitter } from '../emitter.js';
import { SalonError } from '../errors.js';
import { webSocketUrl } from '../servers.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { type IncomingFrame, parseServerFrame } from './frames.js';
import { DEFAULT_HEARTBEAT, Heartbeat } from './heartbeat.js';
import { newClientMsgId } from './ids.js';
import { Outbox, type SendResult } from './outbox.js';
import { planReconnect } from './reconnect.js';
import { Subscriptions } from './subscriptions.js';
import type { ConnectionState, RealtimeEvents, RealtimeOptions, SendOptions } from './types.js';

/** How many times one send is re-encoded after the codec recovered from a refusal. */
const MAX_RECOVERIES = 4;

export type { ConnectionState, RealtimeEvents, RealtimeOptions, SendOptions } from './types.js';

/**
 * One WebSocket that survives disconnections: it reconnects with backoff (at once after a 1012, to the next
 * server), resubscribes every room from the last seq it accepted, delivers each room's messages once and in
 * order, and re-sends unacknowledged messages with their clientMsgId until they are acked, refused or given up.
 */
export class RealtimeConnection extends Emitter<RealtimeEvents> {
  private socket: WebSocket | null = null;
  private opened = false;
  private refusedStatus: number | undefined;
  private stopped = true;
  private current: ConnectionState = 'closed';
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private frameId = 0;
  private readonly subs = new Subscriptions();
  private readonly outbox: Outbox;
  private readonly heartbeat: Heartbeat;
  private readonly backoff: BackoffOptions;
  /** Decoding may be asynchronous (decryption); chaining keeps delivery in acceptance order. */
  private deliveries: Promise<void> = Promise.resolve();
  /** Encoding too: two sends must reach the outbox in the order the application made them. */
  private encodings: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RealtimeOptions) {
    super();
    this.outbox = new Outbox(options.sendTimeoutMs ?? 30_000);
    this.heartbeat = new Heartbeat({ ...DEFAULT_HEARTBEAT, ...options.heartbeat });
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Connects (and keeps reconnecting) until `close()` or the session ends; subscribe and send call it. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setState('connecting');
    this.connect();
  }

  /** Disconnects for good; pending sends and subscriptions are rejected with `closed`. */
  close(): void {
    this.shutdown(new SalonError('closed', 'the client was closed'));
  }

  /** Follows a room from `since` (replaying what came after it), or live from now; resolves at the ack. */
  subscribe(roomId: string, opts: { since?: number } = {}): Promise<number> {
    const acked = this.subs.add(roomId, opts.since);
    this.start();
    if (this.isOpen()) this.transmitSubscribe(roomId);
    return acked;
  }

  /** Stops following a room. */
  unsubscribe(roomId: string): void {
    if (this.subs.remove(roomId) && this.isOpen()) this.transmit({ type: 'unsubscribe', id: ++this.frameId, roomId });
  }

  /** The highest seq of the room accepted for delivery, if any. */
  lastSeq(roomId: string): number | undefined {
    return this.subs.lastSeq(roomId);
  }

  /** Sends a message; resolves with its seq once stored, rejects with the server's refusal or `timeout`. */
  async send(roomId: string, text: string, opts: SendOptions = {}): Promise<SendResult> {
    const withId = { ...opts, clientMsgId: opts.clientMsgId ?? newClientMsgId() };
    for (let attempt = 1; ; attempt++) {
      const encoded: { payload?: EncodedPayload } = {};
      try {
        return await this.sendOnce(roomId, text, withId, encoded);
      } catch (err) {
        // An encrypted room moved to another epoch, or must commit a removal first: the codec catches up, and the
        // text is encrypted again and re-sent under the same clientMsgId (stored at most once).
        const retry =
          attempt < MAX_RECOVERIES &&
          err instanceof SalonError &&
          this.options.codec.recover !== undefined &&
          (await this.options.codec.recover(roomId, err.code, encoded.payload));
        if (!retry) throw err;
      }
    }
  }

  private sendOnce(
    roomId: string,
    text: string,
    opts: SendOptions,
    encoded: { payload?: EncodedPayload },
  ): Promise<SendResult> {
    this.start();
    const queued = this.encodings.then(() => this.enqueue(roomId, text, opts, encoded));
    this.encodings = queued.catch(() => undefined);
    return queued.then(({ acked }) => acked);
  }

  /** Tells the room's other members that this user is typing (dropped while disconnected: stale by then). */
  typing(roomId: string): void {
    if (this.isOpen()) this.transmit({ type: 'typing', roomId });
  }

  /** Encodes and queues; the ack comes wrapped so that the encoding chain does not wait for it. */
  private async enqueue(
    roomId: string,
    text: string,
    opts: SendOptions,
    encoded: { payload?: EncodedPayload },
  ): Promise<{ acked: Promise<SendResult> }> {
    const clientMsgId = opts.clientMsgId ?? newClientMsgId();
    if (this.stopped) throw new SalonError('closed', 'the client was closed', undefined, clientMsgId);
    const payload = await this.options.codec.encode(roomId, text);
    encoded.payload = payload;
    const frame = { type: 'send' as const, id: ++this.frameId, roomId, ...payload, clientMsgId };
    if (opts.ttlSeconds !== undefined) Object.assign(frame, { ttlSeconds: opts.ttlSeconds });
    // Over the limit the server closes the socket (1009); re-sending it after every reconnect would loop forever.
    if (Buffer.byteLength(JSON.stringify(frame)) > MAX_FRAME_BYTES) {
      throw new SalonError('payload_too_large', 'message too large for one frame', undefined, clientMsgId);
    }
    const acked = this.outbox.add(frame);
    if (this.isOpen()) this.transmit(frame);
    return { acked };
  }

  private connect(): void {
    const token = this.options.token();
    if (!token) {
      this.endSession();
      return;
    }
    const ws = new WebSocket(webSocketUrl(this.options.servers.current, token), {
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.socket = ws;
    this.opened = false;
    this.refusedStatus = undefined;
    ws.on('open', () => this.socket === ws && this.onOpen(ws));
    ws.on('message', (data, isBinary) => this.socket === ws && this.onFrame(parseServerFrame(data, isBinary)));
    ws.on('close', (code) => this.socket === ws && this.onClose(code));
    // Every error is followed by a close, which does the work.
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      this.refusedStatus = res.statusCode;
      res.resume();
      ws.terminate();
    });
  }

  private onOpen(ws: WebSocket): void {
    this.opened = true;
    this.attempt = 0;
    this.setState('open');
    for (const roomId of this.subs.rooms()) this.transmitSubscribe(roomId);
    for (const frame of this.outbox.frames()) this.transmit(frame);
    this.heartbeat.start(
      (id) => this.transmit({ type: 'ping', id }),
      () => ws.terminate(),
    );
  }

  private onClose(code: number): void {
    this.heartbeat.stop();
    this.subs.dropRequests();
    this.socket = null;
    if (this.stopped) return;
    if (code === CLOSE_CODES.unauthenticated || this.refusedStatus === 401) {
      this.endSession();
      return;
    }
    const plan = planReconnect({ code, opened: this.opened, attempt: this.attempt }, this.backoff, this.options.random);
    if (plan.nextServer) this.options.servers.advance();
    this.attempt = plan.attempt;
    this.setState('reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), plan.delayMs);
  }

  private onFrame(frame: IncomingFrame | null): void {
    switch (frame?.type) {
      case 'message':
        if (this.subs.accept(frame.message)) this.deliver(frame.message);
        break;
      case 'ack':
        this.onAck(frame.id, frame.result);
        break;
      case 'error':
        this.onError(frame);
        break;
      case 'event':
        this.emit('event', frame.event);
        break;
      case 'typing':
        this.emit('typing', frame.notice);
        break;
      case 'pong':
        this.heartbeat.pong();
        break;
    }
  }

  private onAck(id: number | string, result: Record<string, unknown>): void {
    if (this.outbox.ack(id, result)) return;
    const lastSeq = typeof result.lastSeq === 'number' ? result.lastSeq : undefined;
    const roomId = this.subs.acked(id, lastSeq);
    if (roomId !== undefined) this.emit('subscribed', roomId, lastSeq ?? this.subs.lastSeq(roomId) ?? 0);
  }

  private onError(frame: Extract<IncomingFrame, { type: 'error' }>): void {
    const error = new SalonError(frame.code as SalonError['code'], frame.message);
    if (this.outbox.fail(frame.id, error)) return;
    // Either the answer to a subscribe, or (roomId without id) the server ending a subscription on its own.
    const roomId = this.subs.requestRoom(frame.id) ?? (frame.id === undefined ? frame.roomId : undefined);
    if (roomId === undefined || !this.subs.following(roomId)) {
      this.emit('error', error);
      return;
    }
    if (error.code === 'unavailable') {
      // The server's store hiccupped: worth another try on the same socket.
      const ws = this.socket;
      const retry = () => this.socket === ws && this.subs.following(roomId) && this.transmitSubscribe(roomId);
      setTimeout(retry, backoffDelay(1, this.backoff, this.options.random));
      return;
    }
    this.subs.fail(roomId, error);
    this.emit('subscriptionError', roomId, error);
  }

  private deliver(message: Message): void {
    this.deliveries = this.deliveries.then(async () => {
      const received = await decodeWith(this.options.codec, message);
      // Commits change an encrypted room's keys; the codec processed it, the application has nothing to show.
      if (message.kind === 'commit') return;
      if (this.subs.following(message.roomId)) this.emit('message', received);
    });
  }

  private transmitSubscribe(roomId: string): void {
    const id = ++this.frameId;
    this.subs.requested(id, roomId);
    const since = this.subs.since(roomId);
    this.transmit(since === undefined ? { type: 'subscribe', id, roomId } : { type: 'subscribe', id, roomId, since });
  }

  private transmit(frame: ClientFrame): void {
    if (this.isOpen()) this.socket!.send(JSON.stringify(frame));
  }

  private isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private endSession(): void {
    this.shutdown(new SalonError('unauthenticated', 'the session ended; log in again'));
    this.emit('sessionEnded');
  }

  private shutdown(error: SalonError): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.heartbeat.stop();
    const socket = this.socket;
    this.socket = null;
    if (socket?.readyState === WebSocket.OPEN) socket.close(1000);
    else socket?.terminate();
    this.subs.dropRequests();
    this.outbox.failAll(error);
    this.subs.failAll(error);
    this.setState('closed');
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    this.emit('state', state);
  }
}
