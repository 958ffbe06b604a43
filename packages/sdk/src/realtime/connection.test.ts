import type { EventFrame } from '@salon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalonClient, type SalonClientOptions } from '../client.js';
import type { ReceivedMessage } from '../codec.js';
import { SalonError } from '../errors.js';
import { type Relay, startRelay } from '../test/proxy.js';
import {
  api,
  eventually,
  freePort,
  newRoom,
  newUser,
  range,
  sleep,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../test/servers.js';
import type { ConnectionState } from './connection.js';

const FAST = { backoff: { baseMs: 20, capMs: 200 } } satisfies Partial<SalonClientOptions>;

describe('RealtimeConnection against a real server', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  const clients: SalonClient[] = [];
  const relays: Relay[] = [];

  beforeAll(async () => {
    // PostgreSQL rather than the embedded PGlite: the same store code, and it starts in a second instead of many.
    server = await startTestServer({ mode: 'postgres' });
    [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(relays.map((r) => r.close()));
    await server?.close();
  });

  function client(user: TestUser, opts: Partial<SalonClientOptions> = {}) {
    const c = new SalonClient({ servers: server.url, token: user.token, ...FAST, ...opts });
    clients.push(c);
    return c;
  }

  async function relay() {
    const r = await startRelay(server.url);
    relays.push(r);
    return r;
  }

  async function sharedRoom() {
    const roomId = await newRoom(server.url, alice);
    expect((await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token })).status).toBe(200);
    return roomId;
  }

  /** Collects what a client delivers for one room. */
  function collect(c: SalonClient, roomId: string): ReceivedMessage[] {
    const got: ReceivedMessage[] = [];
    c.on('message', (m) => m.roomId === roomId && got.push(m));
    return got;
  }

  async function storedSeqs(roomId: string) {
    return server.stored(roomId);
  }

  it('replays after `since`, then delivers live messages, each once and in order, with text and status', async () => {
    const roomId = await sharedRoom();
    const sender = client(alice);
    for (const i of range(1, 5)) await sender.send(roomId, `before ${i}`);
    const reader = client(bob);
    const got = collect(reader, roomId);
    expect(await reader.subscribe(roomId, { since: 2 })).toBe(5);
    const acks = await Promise.all(range(6, 10).map((i) => sender.send(roomId, `live ${i}`)));
    expect(acks.map((a) => a.seq)).toEqual(range(6, 10));
    await eventually(() => got.length === 8, 5000, 'eight messages');
    expect(got.map((m) => m.seq)).toEqual(range(3, 10));
    expect(got[0]).toMatchObject({ text: 'before 3', status: 'ok', sender: { id: alice.user.id } });
  });

  it('resumes after connections are cut, re-sends unacked messages once, and delivers every seq once', async () => {
    const roomId = await sharedRoom();
    const [toReader, toSender] = await Promise.all([relay(), relay()]);
    const reader = client(bob, { servers: toReader.url });
    const sender = client(alice, { servers: toSender.url });
    const got = collect(reader, roomId);
    await reader.subscribe(roomId);
    const sends: Promise<unknown>[] = [];
    for (const i of range(1, 60)) {
      sends.push(sender.send(roomId, `m${i}`));
      if (i % 15 === 0) toReader.cut();
      if (i % 20 === 0) toSender.cut();
      await sleep(3);
    }
    const acks = (await Promise.all(sends)) as Array<{ seq: number }>;
    const stored = await storedSeqs(roomId);
    expect(stored.map((m) => m.body)).toEqual(range(1, 60).map((i) => `m${i}`));
    expect(acks.map((a) => a.seq)).toEqual(stored.map((m) => m.seq));
    await eventually(() => got.length >= 60, 10_000, 'all sixty messages');
    await sleep(50);
    expect(got.map((m) => m.seq)).toEqual(stored.map((m) => m.seq));
  });

  it('finds a half-dead link by its missing pong, reconnects and resumes', async () => {
    const roomId = await sharedRoom();
    const link = await relay();
    const reader = client(bob, { servers: link.url, heartbeat: { intervalMs: 100, timeoutMs: 300 } });
    const states: ConnectionState[] = [];
    reader.on('state', (s) => states.push(s));
    const got = collect(reader, roomId);
    await reader.subscribe(roomId);
    link.freeze();
    const sender = client(alice);
    await sender.send(roomId, 'sent while the link was frozen');
    // Nothing crosses a frozen link: the message arriving proves the client noticed and reconnected.
    await eventually(() => got.length === 1, 5000, 'the message after the reconnect');
    expect(states.slice(0, 3)).toEqual(['connecting', 'open', 'reconnecting']);
    expect(states.at(-1)).toBe('open');
    expect(got[0]?.text).toBe('sent while the link was frozen');
  });

  it('rejects a send with the code of the error frame', async () => {
    const roomId = await newRoom(server.url, alice, 'private');
    const outsider = client(bob);
    const refused = await outsider.send(roomId, 'let me in').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SalonError);
    expect(refused).toMatchObject({ code: 'not_found', fromServer: true });
    expect((refused as SalonError).clientMsgId).toMatch(/^[0-9a-f]{32}$/);
    await expect(client(alice).send(roomId, '   ')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('gives a send up after its timeout when no server answers, and says so', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const c = client(alice, { servers: nowhere, sendTimeoutMs: 300 });
    const started = Date.now();
    await expect(c.send('room', 'hello')).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(c.realtime.state).toBe('reconnecting');
  });

  it('fails over to the next server URL when the first cannot be reached', async () => {
    const roomId = await sharedRoom();
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const c = client(bob, { servers: [nowhere, server.url] });
    await c.subscribe(roomId);
    expect(c.server).toBe(server.url);
    expect(await c.rooms()).toEqual(expect.arrayContaining([expect.objectContaining({ id: roomId })]));
  });

  it('passes events and typing notices through', async () => {
    const roomId = await sharedRoom();
    const reader = client(bob);
    const events: EventFrame[] = [];
    reader.on('event', (e) => events.push(e));
    const typing: string[] = [];
    reader.on('typing', (t) => typing.push(t.user.username));
    await reader.subscribe(roomId);
    const writer = client(alice);
    await writer.subscribe(roomId);
    writer.typing(roomId);
    await writer.updateRoom(roomId, { topic: 'spectra' });
    await eventually(() => typing.length === 1 && events.some((e) => e.kind === 'room.updated'), 5000, 'notices');
    expect(typing).toEqual([alice.user.username]);
  });

  it('stops for good when the session ends (4401), and refuses sends from then on', async () => {
    const carol = await newUser(server.url, 'carol');
    const c = client(carol);
    let ended = 0;
    c.on('sessionEnded', () => ended++);
    await c.subscribe((await c.createRoom(`carol room ${Date.now()}`)).id);
    await client(carol).logout();
    await eventually(() => ended === 1, 5000, 'sessionEnded');
    expect(c.realtime.state).toBe('closed');
    await expect(c.send('any', 'hello')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(ended).toBe(2);
  });
});
