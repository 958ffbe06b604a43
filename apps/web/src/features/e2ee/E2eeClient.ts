import type { EventFrame, Message, Room, User } from '@salon/protocol';
import { ApiError } from '../../api/ApiError';
import { Emitter } from '../../realtime/Emitter';
import type { Calls, Decoded, DevicesReport, Method, Results, WorkerMessage, WorkerNotice } from './protocol';

type Events = {
  notice: (notice: WorkerNotice) => void;
};

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: ApiError) => void;
}

/** Sends left to retry after the engine caught up (a commit raced ours, or a member left meanwhile). */
const RETRYABLE = new Set(['stale_epoch', 'commit_required']);

/**
 * The page's handle on the E2EE worker: promise-returning calls, plus the engine's notices (integrity failures,
 * desync recovery, verification changes). Decoded messages are remembered per room and seq, so a message read
 * again (history reloaded, live copy after the ack) costs no round trip; a copy is dropped when its message goes.
 */
export class E2eeClient extends Emitter<Events> {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly decoded = new Map<string, Promise<Decoded>>();
  private started: Promise<Results['init']> | null = null;

  constructor(private readonly user: User) {
    super();
  }

  /**
   * Starts the worker (once; again after `stop`) and resolves once this browser's device is registered and has
   * KeyPackages at the server. Every call starts it if needed: a room may ask before the provider's effect ran.
   */
  start(): Promise<Results['init']> {
    if (this.started === null) {
      const worker = new Worker(new URL('./worker/e2ee.worker.ts', import.meta.url), {
        type: 'module',
        name: 'salon-e2ee',
      });
      worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => this.receive(event.data));
      this.worker = worker;
      this.started = this.call('init', { user: this.user, deviceName: deviceName() });
      // A failure is reported by each later call that waits for it.
      this.started.catch(() => undefined);
    }
    return this.started;
  }

  /**
   * Resolves once this browser's device can be added to a room's group (registered, KeyPackages uploaded), or
   * once that failed. Await it before entering a room: members' clients add a newcomer's devices when they see
   * `member.joined`, and a device without KeyPackages yet would miss every message sent until its own join.
   */
  async deviceReady(): Promise<void> {
    await this.start().catch(() => undefined);
  }

  private get ready(): Promise<Results['init']> {
    return this.start();
  }

  /** Creates the group of a room this user just created (a no-op for plaintext rooms). */
  async createRoom(room: Room): Promise<void> {
    if (!room.encrypted) return;
    await this.ready;
    await this.call('createRoom', { room });
  }

  /** Joins the room's group on this device if needed (Welcome, else external commit) and catches up. */
  async openRoom(roomId: string): Promise<void> {
    await this.ready;
    await this.call('openRoom', { roomId });
  }

  /** The text and status of a message of an encrypted room (commits are processed, their result unused). */
  decode(message: Message): Promise<Decoded> {
    const key = `${message.roomId}:${message.seq}`;
    let found = this.decoded.get(key);
    if (found === undefined) {
      found = this.ready.then(() => this.call('decode', { message }));
      this.decoded.set(key, found);
      // A transient failure (network) is not remembered: the next read tries again.
      found.catch(() => this.decoded.delete(key));
    }
    return found;
  }

  /** Forgets decrypted copies (expired or deleted messages): no plaintext stays in memory past its end. */
  forget(roomId: string, seqs: readonly number[]): void {
    for (const seq of seqs) this.decoded.delete(`${roomId}:${seq}`);
  }

  /**
   * Encrypts `text` and hands the ciphertext to `send`; if the server refuses it because the group moved on
   * (`stale_epoch`) or must first commit a departure (`commit_required`), catches up and tries again.
   */
  async sendEncrypted<T>(
    roomId: string,
    text: string,
    send: (encrypted: { ciphertext: string; franking?: string }) => Promise<T>,
  ): Promise<T> {
    await this.ready;
    for (let attempt = 0; ; attempt++) {
      const encrypted = await this.call('encode', { roomId, text });
      try {
        return await send(encrypted);
      } catch (err) {
        const code = err instanceof ApiError ? err.code : '';
        if (attempt >= 3 || !RETRYABLE.has(code) || !(await this.call('recover', { roomId, code }))) throw err;
      }
    }
  }

  /** Reports a message to the room's moderators, revealing its text and franking key (SPEC E2E-17). */
  async report(roomId: string, seq: number, reason?: string) {
    await this.ready;
    return this.call('report', { roomId, seq, ...(reason ? { reason } : {}) });
  }

  /** Lets the engine react to room events (members and devices change the group; expiries prune history). */
  onEvent(event: EventFrame): void {
    if (event.kind === 'message.expired' && event.roomId !== undefined && Array.isArray(event.seqs)) {
      this.forget(
        event.roomId,
        event.seqs.filter((s): s is number => typeof s === 'number'),
      );
    }
    if (event.kind === 'message.deleted' && event.roomId !== undefined && typeof event.seq === 'number') {
      this.forget(event.roomId, [event.seq]);
    }
    this.ready.then(
      () => this.call('event', { event }).catch(() => undefined),
      () => undefined,
    );
  }

  async devices(self: User, other: User): Promise<DevicesReport> {
    await this.ready;
    return this.call('devices', { self, other });
  }

  async verify(other: User, keys: string[]): Promise<void> {
    await this.ready;
    await this.call('verify', { other, keys });
  }

  /** Removes this device at the server and erases its keys, group states and decrypted history here. */
  async wipe(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.call('wipe', {});
    this.decoded.clear();
  }

  /** Ends the worker (logout, or a React development re-mount); `start` makes a fresh one. */
  stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.started = null;
    for (const w of this.waiting.values()) w.reject(new ApiError('closed', 'encryption engine stopped'));
    this.waiting.clear();
    this.decoded.clear();
  }

  private call<M extends Method>(method: M, args: Calls[M]): Promise<Results[M]> {
    const id = this.nextId++;
    return new Promise<Results[M]>((resolve, reject) => {
      if (this.worker === null) {
        reject(new ApiError('closed', 'encryption engine stopped'));
        return;
      }
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private receive(message: WorkerMessage): void {
    if ('notice' in message) {
      this.emit('notice', message.notice);
      return;
    }
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new ApiError(message.error.code, message.error.message));
  }
}

/** What the device lists show for this browser: its engine and platform, nothing more identifying. */
function deviceName(): string {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent)
    ? 'Firefox'
    : /Edg\//.test(agent)
      ? 'Edge'
      : /Chrom(e|ium)\//.test(agent)
        ? 'Chromium'
        : /Safari\//.test(agent)
          ? 'Safari'
          : 'Browser';
  const platform = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Mac OS X/.test(agent)
        ? 'macOS'
        : /Windows/.test(agent)
          ? 'Windows'
          : /Linux/.test(agent)
            ? 'Linux'
            : '';
  return platform ? `${browser} on ${platform}` : browser;
}
