import {
  type AckFrame,
  CLOSE_CODES,
  type ClientFrame,
  type ErrorFrame,
  type EventFrame,
  type FrameId,
  type Message,
  type SendFrame,
  type ServerFrame,
  type TypingNoticeFrame,
} from '@salon/protocol';
import { ApiError } from '../api/ApiError';
import { backoffDelay } from './backoff';
import { Emitter } from './Emitter';
import { randomId } from './randomId';
import type { ConnectionStatus, RealtimeEvents, RealtimeOptions, SendAck, SocketLike } from './types';

export type { ConnectionStatus, RealtimeOptions, SendAck, SocketLike } from './types';

interface PendingSend {
  frame: SendFrame;
  resolve: (ack: SendAck) => void;
  reject: (error: ApiError) => void;
}

const OPEN = 1;
const PING_INTERVAL_MS = 25_000;

/**
 * One WebSocket to the server that survives disconnections: it reconnects with backoff, resumes every room
 * from the last seq it delivered (so nothing is missed and overlaps are dropped), and re-sends unacknowledged
 * messages with their original clientMsgId (so the server stores them once).
 */
export class RealtimeClient extends Emitter<RealtimeEvents> {
  private socket: SocketLike | null = null;
  private status: ConnectionStatus = 'reconnecting';
  private stopped = true;
  private attempt = 0;
  private nextId = 1;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private awaitingPong = false;
  /** roomId -> highest seq delivered to listeners. */
  private readonly subscriptions = new Map<string, number>();
  /** subscribe request id -> roomId, until acked. */
  private readonly subscribeRequests = new Map<FrameId, string>();
  private readonly pendingSends = new Map<FrameId, PendingSend>();

  constructor(private readonly options: RealtimeOptions) {
    super();
  }

  getStatus(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.dropSocket(1000);
    for (const pending of this.pendingSends.values()) pending.reject(new ApiError('closed', 'connection closed'));
    this.pendingSends.clear();
  }

  /** Skips the remaining backoff, e.g. when the browser reports that the network is back. */
  reconnectNow(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.reconnectTimer);
    this.connect();
  }

  /** Receives the room's messages with seq > since, then live ones. */
  subscribe(roomId: string, since: number): void {
    this.subscriptions.set(roomId, since);
    if (this.isOpen()) this.transmitSubscribe(roomId, since);
  }

  unsubscribe(roomId: string): void {
    if (!this.subscriptions.delete(roomId)) return;
    if (this.isOpen()) this.transmit({ type: 'unsubscribe', id: this.nextId++, roomId });
  }

  /**
   * Sends a message (its text, or `{ciphertext}` in an encrypted room); it stays queued across reconnections until
   * the server acknowledges or refuses it. With `ttlSeconds` it disappears that long after the server stores it.
   */
  send(
    roomId: string,
    content: string | { ciphertext: string; franking?: string },
    clientMsgId: string = randomId(),
    ttlSeconds?: number,
  ): Promise<SendAck> {
    const frame: SendFrame = {
      type: 'send',
      id: this.nextId++,
      roomId,
      ...(typeof content === 'string'
        ? { body: content }
        : { ciphertext: content.ciphertext, ...(content.franking ? { franking: content.franking } : {}) }),
      clientMsgId,
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    };
    return new Promise((resolve, reject) => {
      this.pendingSends.set(frame.id, { frame, resolve, reject });
      if (this.isOpen()) this.transmit(frame);
    });
  }

  /** Tells the room's members that we are typing; dropped when offline since it is stale by reconnection. */
  typing(roomId: string): void {
    if (this.isOpen()) this.transmit({ type: 'typing', roomId });
  }

  private connect(): void {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const socket = create(this.options.url);
    this.socket = socket;
    socket.onopen = () => this.handleOpen();
    socket.onmessage = (event) => this.handleData(event.data);
    socket.onclose = (event) => this.handleClose(event.code);
    // An error is always followed by a close event, which does the work.
    socket.onerror = () => {};
  }

  private handleOpen(): void {
    this.attempt = 0;
    this.setStatus('connected');
    for (const [roomId, since] of this.subscriptions) this.transmitSubscribe(roomId, since);
    for (const pending of this.pendingSends.values()) this.transmit(pending.frame);
    this.startPing();
  }

  private handleClose(code: number): void {
    this.dropSocket();
    if (this.stopped) return;
    if (code === CLOSE_CODES.unauthenticated) {
      this.endSession();
      return;
    }
    this.setStatus('reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.backoff(this.attempt++);
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private backoff(attempt: number): number {
    return this.options.backoff ? this.options.backoff(attempt) : backoffDelay(attempt, this.options.random);
  }

  private async reconnect(): Promise<void> {
    // A refused upgrade (expired cookie) looks like any network failure to the browser, so ask the API.
    const alive = this.options.isSessionAlive ? await this.options.isSessionAlive() : true;
    if (this.stopped || this.socket) return;
    if (alive) this.connect();
    else this.endSession();
  }

  private endSession(): void {
    this.stop();
    this.emit('sessionEnded');
  }

  /** Forgets the current socket at once, without waiting for a closing handshake that may never finish. */
  private dropSocket(code?: number): void {
    clearInterval(this.pingTimer);
    this.subscribeRequests.clear();
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    socket.close(code);
  }

  private startPing(): void {
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      // No answer to the previous ping: the connection is dead even if the browser has not noticed.
      if (this.awaitingPong) {
        this.handleClose(1006);
        return;
      }
      this.awaitingPong = true;
      this.transmit({ type: 'ping', id: this.nextId++ });
    }, this.options.pingIntervalMs ?? PING_INTERVAL_MS);
  }

  private handleData(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    this.awaitingPong = false;
    switch (frame.type) {
      case 'message':
        this.handleMessage(frame);
        break;
      case 'ack':
        this.handleAck(frame as AckFrame);
        break;
      case 'error':
        this.handleError(frame as ErrorFrame);
        break;
      case 'event':
        this.emit('event', frame as EventFrame);
        break;
      case 'typing':
        this.emit('typing', frame as TypingNoticeFrame);
        break;
    }
  }

  private handleMessage(frame: Message & { type: 'message' }): void {
    const lastSeq = this.subscriptions.get(frame.roomId);
    // Unknown room: a frame still in flight after unsubscribe. Old seq: overlap after a resubscribe.
    if (lastSeq === undefined || frame.seq <= lastSeq) return;
    this.subscriptions.set(frame.roomId, frame.seq);
    const { type: _type, ...message } = frame;
    this.emit('message', message);
  }

  private handleAck(frame: AckFrame): void {
    this.subscribeRequests.delete(frame.id);
    const pending = this.pendingSends.get(frame.id);
    if (!pending) return;
    this.pendingSends.delete(frame.id);
    pending.resolve({ seq: Number(frame.seq), createdAt: String(frame.createdAt) });
  }

  private handleError(frame: ErrorFrame & { roomId?: unknown }): void {
    const error = new ApiError(frame.code, frame.message);
    const pending = frame.id === undefined ? undefined : this.pendingSends.get(frame.id);
    if (pending) {
      this.pendingSends.delete(pending.frame.id);
      pending.reject(error);
      return;
    }
    // Either the answer to a subscribe, or (with roomId and no id) the server ending a subscription by itself.
    const requested = frame.id === undefined ? undefined : this.subscribeRequests.get(frame.id);
    const roomId = requested ?? (typeof frame.roomId === 'string' ? frame.roomId : undefined);
    if (frame.id !== undefined) this.subscribeRequests.delete(frame.id);
    if (roomId !== undefined && this.subscriptions.has(roomId)) this.subscriptionFailed(roomId, error);
    else this.emit('error', error);
  }

  /** A store hiccup on the server is worth another try; anything else (no access any more) is final. */
  private subscriptionFailed(roomId: string, error: ApiError): void {
    if (error.code === 'unavailable') {
      setTimeout(() => {
        const since = this.subscriptions.get(roomId);
        if (since !== undefined && this.isOpen()) this.transmitSubscribe(roomId, since);
      }, this.backoff(0));
      return;
    }
    this.subscriptions.delete(roomId);
    this.emit('subscribeError', roomId, error);
  }

  private transmitSubscribe(roomId: string, since: number): void {
    const id = this.nextId++;
    this.subscribeRequests.set(id, roomId);
    this.transmit({ type: 'subscribe', id, roomId, since });
  }

  private transmit(frame: ClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.emit('status', status);
  }
}
