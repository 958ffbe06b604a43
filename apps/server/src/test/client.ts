import { randomBytes } from 'node:crypto';
import type { User } from '@salon/protocol';
import WebSocket from 'ws';

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  json: T & { error?: { code: string; message: string } };
}

/** One REST call as an outside client makes it. `body` undefined sends no body; a string is sent raw. */
export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as ApiResult<T>['json'] };
}

export interface TestUser {
  user: User;
  token: string;
  password: string;
}

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** Registers and logs in a fresh user. */
export async function newUser(base: string, prefix = 'user'): Promise<TestUser> {
  const username = uniqueName(prefix);
  const password = 'correct horse battery staple';
  const reg = await api(base, 'POST', '/api/auth/register', { body: { username, password } });
  if (reg.status !== 201) throw new Error(`register failed: ${JSON.stringify(reg)}`);
  const login = await api<{ user: User; token: string }>(base, 'POST', '/api/auth/login', {
    body: { username, password },
  });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login)}`);
  return { user: login.json.user, token: login.json.token, password };
}

/**
 * Creates a room as `owner` and returns its id. Private rooms are created without end-to-end encryption unless
 * asked, so tests of access control can post plaintext; encryption has its own tests.
 */
export async function newRoom(
  base: string,
  owner: TestUser,
  visibility: 'public' | 'private' = 'public',
  options: { encrypted?: boolean; suite?: 84 | 3 } = {},
) {
  const encrypted = visibility === 'private' ? (options.encrypted ?? false) : undefined;
  const res = await api<{ room: { id: string } }>(base, 'POST', '/api/rooms', {
    token: owner.token,
    body: {
      name: uniqueName('room'),
      visibility,
      ...(encrypted !== undefined ? { encrypted } : {}),
      ...(options.suite ? { suite: options.suite } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`room create failed: ${JSON.stringify(res)}`);
  return res.json.room.id;
}

/** A public room of `owner` that `member` has joined. */
export async function joinedRoom(base: string, owner: TestUser, member: TestUser): Promise<string> {
  const roomId = await newRoom(base, owner);
  const joined = await api(base, 'POST', `/api/rooms/${roomId}/join`, { token: member.token });
  if (joined.status !== 200) throw new Error(`join failed: ${JSON.stringify(joined)}`);
  return roomId;
}

// biome-ignore lint/suspicious/noExplicitAny: frames are checked field by field in the tests.
export type Frame = Record<string, any>;

/** A WebSocket client that records every frame and can wait for one matching a predicate. */
export class WsClient {
  readonly inbox: Frame[] = [];
  private readonly waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  closeEvent: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.inbox.push(frame);
      for (const w of [...this.waiters]) {
        if (w.pred(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    this.closeEvent = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static connect(base: string, token?: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const url = `${base.replace(/^http/, 'ws')}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    const ws = new WebSocket(url, { headers: { origin: base, ...headers } });
    return new Promise((resolve, reject) => {
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or coming) that matches; rejects after `ms`. */
  wait(pred: (f: Frame) => boolean, ms = 5000): Promise<Frame> {
    const hit = this.inbox.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          const recent = this.inbox.slice(-5).map((f) => JSON.stringify(f).slice(0, 200));
          reject(new Error(`no matching frame within ${ms} ms; last frames: ${recent.join(' ')}`));
        }
      }, ms);
    });
  }

  /** Sends a request frame and waits for its ack or error. */
  async request(frame: Frame, ms = 5000): Promise<Frame> {
    this.send(frame);
    return this.wait((f) => (f.type === 'ack' || f.type === 'error') && f.id === frame.id, ms);
  }

  /** A ping round trip: every frame the server sent before the pong has arrived once it resolves. */
  async ping(): Promise<void> {
    const id = `ping-${Math.random()}`;
    this.send({ type: 'ping', id });
    await this.wait((f) => f.type === 'pong' && f.id === id);
  }

  /** Seqs of the message frames received for a room, in arrival order. */
  seqs(roomId: string): number[] {
    return this.inbox.filter((f) => f.type === 'message' && f.roomId === roomId).map((f) => f.seq as number);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closeEvent;
  }
}

/** Resolves once `check` is true, polling; rejects after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
