import type { Message } from '@salon/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  api,
  eventually,
  type Frame,
  newRoom,
  newUser,
  type TestUser,
  WsClient,
} from '../../../server/src/test/client.js';
import { startTestServer, type TestServer } from '../../../server/src/test/harness.js';
import { ApiError } from '../api/ApiError';
import { backoffDelay } from './backoff';
import { RealtimeClient, type RealtimeOptions, type SocketLike } from './RealtimeClient';

// A real Salon (PGlite in memory) over real WebSockets; `ws` stands in for the browser's WebSocket.

/** Nothing listens there: a socket to it fails at once, like a network that is down. */
const UNREACHABLE = 'ws://127.0.0.1:1/ws';

let server: TestServer;
/** Shared by the tests that do not end their session; each test has its own rooms. */
let alice: TestUser;
let bob: TestUser;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server?.close());

/** One RealtimeClient of `who`, with a record of what went on. */
class Session {
  readonly client: RealtimeClient;
  readonly sockets: WebSocket[] = [];
  /** Every frame each socket received, whether or not the client passed it on. */
  readonly frames: Frame[][] = [];
  readonly delivered: number[] = [];
  readonly statuses: string[] = [];
  /** The attempt numbers the client asked the backoff for. */
  readonly attempts: number[] = [];
  ended = 0;
  /** While true, new sockets go to UNREACHABLE. */
  offline = false;

  constructor(who: TestUser, options: Partial<RealtimeOptions>) {
    const base = server.url;
    this.client = new RealtimeClient({
      url: `${base.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(who.token)}`,
      createSocket: (url) => {
        const ws = new WebSocket(this.offline ? UNREACHABLE : url, { headers: { origin: base } });
        const frames: Frame[] = [];
        // A browser socket only reports errors; ws throws an 'error' that nobody listens to.
        ws.on('error', () => {});
        ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
        this.sockets.push(ws);
        this.frames.push(frames);
        return ws as unknown as SocketLike;
      },
      // As in RealtimeProvider: only an explicit 401 means the session is gone.
      isSessionAlive: async () => (await api(base, 'GET', '/api/me', { token: who.token })).status !== 401,
      // The real schedule, 50 times faster.
      backoff: (attempt) => {
        this.attempts.push(attempt);
        return backoffDelay(attempt) / 50;
      },
      ...options,
    });
    this.client.on('message', (m) => this.delivered.push(m.seq));
    this.client.on('status', (status) => this.statuses.push(status));
    this.client.on('sessionEnded', () => this.ended++);
  }
}

function connect(who: TestUser, options: Partial<RealtimeOptions> = {}): Session {
  const s = new Session(who, options);
  cleanups.push(() => {
    s.client.stop();
    for (const ws of s.sockets) ws.terminate();
  });
  s.client.start();
  return s;
}

const connections = (s: Session, n: number) =>
  eventually(() => s.statuses.filter((x) => x === 'connected').length >= n && s.client.getStatus() === 'connected');
const seqs = (frames: Frame[] = []) => frames.filter((f) => f.type === 'message').map((f) => f.seq as number);
const pongs = (frames: Frame[] = []) => frames.filter((f) => f.type === 'pong').length;

/** Alice owns a public room that Bob has joined; Bob, on his own socket, is subscribed to it. */
async function scene() {
  const roomId = await newRoom(server.url, alice, 'public');
  await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
  const bobWs = await WsClient.connect(server.url, bob.token);
  cleanups.push(() => bobWs.close());
  await bobWs.request({ type: 'subscribe', id: 'sub', roomId });
  let nextId = 0;
  /** Bob posts; resolves once his own copy came back, i.e. once it went out to every subscriber. */
  const post = async (body: string) => {
    const ack = await bobWs.request({ type: 'send', id: `b${nextId++}`, roomId, body });
    await bobWs.wait((f) => f.type === 'message' && f.seq === ack.seq);
    return ack.seq as number;
  };
  return { bobWs, roomId, post };
}

describe('RealtimeClient against a real server', { timeout: 15_000 }, () => {
  it('subscribes once open, from `since`, then delivers live messages', async () => {
    const { roomId, post } = await scene();
    for (const body of ['one', 'two', 'three']) await post(body);
    const s = connect(alice);
    s.client.subscribe(roomId, 1);
    await eventually(() => s.delivered.length === 2);
    await post('four');
    await eventually(() => s.delivered.length === 3);
    expect(s.delivered).toEqual([2, 3, 4]);
    expect(s.statuses).toEqual(['connected']);
  });

  it('delivers each seq once when a resubscription overlaps frames still in flight', async () => {
    const { roomId, post } = await scene();
    const s = connect(alice);
    s.client.subscribe(roomId, 0);
    await post('one');
    await eventually(() => s.delivered.length === 1);
    // Seqs 2 and 3 wait unread on the socket while the room is subscribed again from 1: the server replays them.
    s.sockets[0]!.pause();
    await post('two');
    await post('three');
    s.client.subscribe(roomId, 1);
    s.sockets[0]!.resume();
    await eventually(() => seqs(s.frames[0]).length === 5);
    expect(seqs(s.frames[0])).toEqual([1, 2, 3, 2, 3]);
    expect(s.delivered).toEqual([1, 2, 3]);
  });

  it('reconnects with growing backoff after a drop and resumes from the last seq received', async () => {
    const { roomId, post } = await scene();
    const s = connect(alice);
    s.client.subscribe(roomId, 0);
    await post('one');
    await post('two');
    await eventually(() => s.delivered.length === 2);

    s.offline = true;
    s.sockets[0]!.terminate();
    await eventually(() => s.attempts.length >= 3);
    expect(s.client.getStatus()).toBe('reconnecting');
    await post('three');
    await post('four');
    s.offline = false;
    await connections(s, 2);
    await eventually(() => s.delivered.length === 4);
    expect(s.delivered).toEqual([1, 2, 3, 4]);
    // The new subscription asked for seq > 2 only: the server replayed nothing the client already had.
    expect(seqs(s.frames.at(-1))).toEqual([3, 4]);
    expect(s.attempts).toEqual(s.attempts.map((_, i) => i));
    expect(s.statuses).toEqual(['connected', 'reconnecting', 'connected']);

    // A successful connection resets the backoff.
    const before = s.attempts.length;
    s.sockets.at(-1)!.terminate();
    await connections(s, 3);
    expect(s.attempts.slice(before)).toEqual([0]);
  });

  it('re-sends an unacknowledged message with the same clientMsgId after reconnecting; it is stored once', async () => {
    const { bobWs, roomId } = await scene();
    const s = connect(alice, { pingIntervalMs: 100 });
    await connections(s, 1);
    // Right after a pong, stall the socket: the server gets the send, its ack is never read, pings go unanswered.
    await new Promise<void>((resolve) => {
      s.sockets[0]!.on('message', function stall(data) {
        if (JSON.parse(String(data)).type !== 'pong') return;
        s.sockets[0]!.off('message', stall).pause();
        resolve();
      });
    });
    const acked = s.client.send(roomId, 'hello');
    const stored = await bobWs.wait((f) => f.type === 'message' && f.body === 'hello');

    await expect(acked).resolves.toEqual({ seq: stored.seq, createdAt: stored.createdAt });
    // The server recognised the clientMsgId of the stored message and answered the re-sent frame on a new socket.
    expect(s.frames.slice(1).flat()).toContainEqual(
      expect.objectContaining({ type: 'ack', seq: stored.seq, duplicate: true }),
    );
    await bobWs.ping();
    expect(bobWs.inbox.filter((f) => f.type === 'message' && f.body === 'hello')).toHaveLength(1);
  });

  it('queues a message sent before the socket is open', async () => {
    const { bobWs, roomId } = await scene();
    const s = connect(alice);
    const acked = s.client.send(roomId, 'early');
    expect(s.client.getStatus()).toBe('reconnecting');
    const { seq } = await acked;
    await bobWs.wait((f) => f.type === 'message' && f.seq === seq && f.body === 'early');
  });

  it('sends a message timer; the message carries its end, and the expiry event follows it', async () => {
    const { bobWs, roomId } = await scene();
    const s = connect(alice);
    const live: Message[] = [];
    const expired: unknown[] = [];
    s.client.on('message', (m) => live.push(m));
    s.client.on('event', (e) => e.kind === 'message.expired' && expired.push(e.seqs));
    s.client.subscribe(roomId, 0);
    await connections(s, 1);
    const { seq, createdAt } = await s.client.send(roomId, 'gone soon', undefined, 1);
    await bobWs.wait((f) => f.type === 'message' && f.seq === seq && f.expiresAt !== undefined);
    await eventually(() => live.length === 1);
    expect(live[0]).toMatchObject({ seq, createdAt, body: 'gone soon' });
    expect(Date.parse(live[0]!.expiresAt!) - Date.parse(createdAt)).toBe(1_000);
    await eventually(() => expired.length === 1);
    expect(expired).toEqual([[seq]]);
  });

  it('rejects a send that the server refuses, with its error code', async () => {
    const bobsRoom = await newRoom(server.url, bob, 'public');
    const s = connect(alice);
    const sent = s.client.send(bobsRoom, 'not a member');
    await expect(sent).rejects.toBeInstanceOf(ApiError);
    await expect(sent).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('forgets a subscription that the server refuses and reports it', async () => {
    const { roomId } = await scene();
    const privateRoom = await newRoom(server.url, bob, 'private');
    const s = connect(alice);
    const failures: string[] = [];
    s.client.on('subscribeError', (room, error) => failures.push(`${room}:${error.code}`));
    s.client.subscribe(privateRoom, 0);
    s.client.subscribe(roomId, 0);
    await eventually(() => failures.length > 0);
    expect(failures).toEqual([`${privateRoom}:not_found`]); // a private room is not disclosed to outsiders

    s.sockets[0]!.terminate();
    await connections(s, 2);
    // Sent after the resubscriptions: once acked, a refusal of a repeated subscribe would have arrived.
    await s.client.send(roomId, 'barrier');
    expect(failures).toHaveLength(1);
    expect(s.frames[1]!.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('subscribes again from the last seq received when the server ends a subscription with unavailable', async () => {
    const { roomId, post } = await scene();
    const s = connect(alice);
    s.client.subscribe(roomId, 0);
    await post('one');
    await eventually(() => s.delivered.length === 1);
    s.sockets[0]!.pause();
    await post('two');
    // A room event empties the server's window of recent messages, so the next replay reads the store; and that
    // read fails for real: the store's message table is gone for a moment.
    const updated = await api(server.url, 'PATCH', `/api/rooms/${roomId}`, {
      token: alice.token,
      body: { topic: 'the store is away' },
    });
    expect(updated.status).toBe(200);
    await server.query('ALTER TABLE messages RENAME TO messages_away');
    try {
      s.client.subscribe(roomId, 1);
      s.sockets[0]!.resume();
      await eventually(() => s.frames[0]!.some((f) => f.type === 'error' && f.code === 'unavailable'));
    } finally {
      await server.query('ALTER TABLE messages_away RENAME TO messages');
    }
    await post('three');
    await eventually(() => s.delivered.length === 3);
    expect(s.delivered).toEqual([1, 2, 3]);
    // Seq 2 arrived before the error: the retry asked for seq > 2, so the server did not send it again.
    expect(seqs(s.frames[0])).toEqual([1, 2, 3]);
  });

  it('reports an error frame that answers no request', async () => {
    const { roomId } = await scene();
    const s = connect(alice);
    const errors: string[] = [];
    s.client.on('error', (error) => errors.push(error.code));
    await connections(s, 1);
    s.client.typing(roomId); // not subscribed: refused, and typing frames carry no id
    await eventually(() => errors.length === 1);
    expect(errors).toEqual(['forbidden']);
  });

  it('ends the session without reconnecting when the server closes with 4401', async () => {
    const dave = await newUser(server.url, 'dave'); // not alice: the session is ended
    const s = connect(dave, { isSessionAlive: undefined });
    await connections(s, 1);
    expect((await api(server.url, 'POST', '/api/auth/logout', { token: dave.token })).status).toBe(204);
    await eventually(() => s.ended > 0);
    expect(s.ended).toBe(1);
    expect(s.attempts).toEqual([]);
    expect(s.sockets).toHaveLength(1);
  });

  it('ends the session when the upgrade is refused and the API says the session is gone', async () => {
    const dave = await newUser(server.url, 'dave'); // not alice: the session is ended
    await api(server.url, 'POST', '/api/auth/logout', { token: dave.token });
    const s = connect(dave);
    await eventually(() => s.ended > 0);
    expect(s.ended).toBe(1);
    expect(s.attempts).toEqual([0]);
    expect(s.sockets).toHaveLength(1);
    expect(s.statuses).toEqual([]);
  });

  it('pings, stays on the socket while pongs come, and reconnects when they stop', async () => {
    const s = connect(alice, { pingIntervalMs: 50 });
    await eventually(() => pongs(s.frames[0]) >= 3);
    expect(s.sockets).toHaveLength(1);
    // The socket stays open, but nothing comes through any more, as when a connection dies silently.
    s.sockets[0]!.pause();
    await connections(s, 2);
    expect(s.sockets).toHaveLength(2);
    expect(s.statuses).toEqual(['connected', 'reconnecting', 'connected']);
  });

  it('closes the socket with 1000 and rejects pending sends on stop', async () => {
    const { roomId } = await scene();
    const s = connect(alice);
    await connections(s, 1);
    const closed = new Promise<number>((resolve) => s.sockets[0]!.once('close', resolve));
    const sent = s.client.send(roomId, 'bye');
    s.client.stop();
    await expect(sent).rejects.toMatchObject({ code: 'closed' });
    expect(await closed).toBe(1000);
  });
});
