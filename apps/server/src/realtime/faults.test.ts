import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, eventually, type Frame, newRoom, newUser, range, WsClient } from '../test/client.js';
import { type ServerProcess, spawnServer, startTestServer } from '../test/harness.js';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../test/postgres.js';
import { type PrivatePostgres, type PrivateRedis, privatePostgres, privateRedis } from '../test/services.js';

const storedSeqs = async (url: string, roomId: string) =>
  (await queryDatabase<{ seq: string }>(url, 'select seq from messages where room_id = $1 order by seq', [roomId])).map(
    (r) => Number(r.seq),
  );
const ackedSeqs = (ws: WsClient) =>
  ws.inbox
    .filter((f) => f.type === 'ack' && typeof f.seq === 'number')
    .map((f) => f.seq as number)
    .sort((a, b) => a - b);

describe('Redis lost and restarted during traffic', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), privateRedis()]);
    [a, b] = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: db.url, REDIS_URL: redis.url })));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop().catch(() => undefined);
    await db?.drop();
  });

  it('stores and acks during the outage, reports degraded, and fills every gap after recovery without duplicates', async () => {
    const [alice, bob] = await Promise.all([newUser(a.url, 'alice'), newUser(b.url, 'bob')]);
    const roomId = await newRoom(a.url, alice);
    await api(b.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
    const [sender, onA, onB] = await Promise.all([
      WsClient.connect(a.url, alice.token),
      WsClient.connect(a.url, alice.token),
      WsClient.connect(b.url, bob.token),
    ]);
    for (const ws of [onA, onB]) await ws.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    for (const i of range(1, 10)) await sender.request({ type: 'send', id: `x${i}`, roomId, body: `before ${i}` });
    await redis.stop();
    await eventually(async () => (await api(a.url, 'GET', '/readyz')).status === 503, 10_000, 'A degraded');
    expect((await api(b.url, 'GET', '/readyz')).json).toMatchObject({
      status: 'degraded',
      broker: false,
      database: true,
    });
    for (const i of range(1, 10)) {
      expect(await sender.request({ type: 'send', id: `y${i}`, roomId, body: `during ${i}` })).toMatchObject({
        type: 'ack',
      });
    }
    // Subscribers on the sending process do not depend on Redis at all.
    await onA.wait((f) => f.type === 'message' && f.seq === 20);
    await redis.start();
    await eventually(async () => (await api(b.url, 'GET', '/readyz')).status === 200, 15_000, 'B ready');
    await onB.wait((f) => f.type === 'message' && f.seq === 20, 15_000);
    for (const i of range(1, 5)) await sender.request({ type: 'send', id: `z${i}`, roomId, body: `after ${i}` });
    for (const ws of [onA, onB]) await ws.wait((f) => f.type === 'message' && f.seq === 25);
    await Promise.all([onA.ping(), onB.ping()]);
    const acked = ackedSeqs(sender);
    expect(acked).toEqual(range(1, 25));
    expect(onA.seqs(roomId)).toEqual(acked);
    expect(onB.seqs(roomId)).toEqual(acked);
    expect(await storedSeqs(db.url, roomId)).toEqual(acked);
    await Promise.all([sender, onA, onB].map((ws) => ws.close()));
  });
});

describe('PostgreSQL lost and restarted', () => {
  let pg: PrivatePostgres;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    pg = await privatePostgres();
    server = await startTestServer({ config: { database: { kind: 'postgres', url: pg.url } } });
  });
  afterAll(async () => {
    await server?.close().catch(() => undefined);
    await pg?.destroy();
  });

  it('answers unavailable (never a false ack), keeps the process and sockets up, and recovers by itself', async () => {
    const alice = await newUser(server.url, 'alice');
    const roomId = await newRoom(server.url, alice);
    const ws = await WsClient.connect(server.url, alice.token);
    await ws.request({ type: 'subscribe', id: 's', roomId });
    for (const i of range(1, 5))
      await ws.request({ type: 'send', id: `a${i}`, roomId, body: `ok ${i}`, clientMsgId: `a${i}` });
    await pg.stop();
    const refused = await ws.request(
      { type: 'send', id: 'lost', roomId, body: 'while down', clientMsgId: 'lost' },
      15_000,
    );
    expect(refused).toMatchObject({ type: 'error', code: 'unavailable' });
    const rest = await api(server.url, 'GET', '/api/rooms', { token: alice.token });
    expect([rest.status, rest.json.error?.code]).toEqual([503, 'unavailable']);
    expect((await api(server.url, 'GET', '/readyz')).json).toMatchObject({ status: 'degraded', database: false });
    await ws.ping();
    await pg.start();
    let back: Frame | undefined;
    await eventually(
      async () => {
        back = await ws.request({
          type: 'send',
          id: `retry${Math.random()}`,
          roomId,
          body: 'back',
          clientMsgId: 'back',
        });
        return back.type === 'ack';
      },
      20_000,
      'database back',
    );
    expect(back).toMatchObject({ seq: 6 });
    await ws.wait((f) => f.type === 'message' && f.seq === 6);
    expect(ackedSeqs(ws).filter((s, i, all) => all.indexOf(s) === i)).toEqual(range(1, 6));
    expect(await storedSeqs(pg.url, roomId)).toEqual(range(1, 6));
    expect(ws.seqs(roomId)).toEqual(range(1, 6));
    await ws.close();
  });
});

describe('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('on SIGTERM finishes in-flight sends, tells clients to reconnect (1012) and exits cleanly', async () => {
    const server = await spawnServer({ DATABASE_URL: db.url });
    const alice = await newUser(server.url, 'alice');
    const roomId = await newRoom(server.url, alice);
    const ws = await WsClient.connect(server.url, alice.token);
    for (const i of range(1, 100)) ws.send({ type: 'send', id: `m${i}`, roomId, body: `m${i}`, clientMsgId: `m${i}` });
    await ws.wait((f) => f.type === 'ack' && f.id === 'm5');
    const [code, close] = await Promise.all([server.stop(), ws.closeEvent]);
    expect(code).toBe(0);
    expect(close.code).toBe(1012);
    const acked = ackedSeqs(ws);
    const stored = await storedSeqs(db.url, roomId);
    // Every ack is backed by a stored message; whatever was stored without an ack is there once.
    expect(acked.length).toBeGreaterThanOrEqual(5);
    expect(stored.slice(0, acked.length)).toEqual(acked);
    expect(stored).toEqual(range(1, stored.length));
    const answered = ws.inbox.filter((f) => f.type === 'ack' || f.type === 'error').length;
    expect(stored.length).toBeGreaterThanOrEqual(answered - ws.inbox.filter((f) => f.type === 'error').length);
  });
});

describe('slow consumers and dead peers', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let fastBeat: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    // Separate servers: a 200 ms heartbeat would also drop healthy clients of a busy in-process PGlite.
    [server, fastBeat] = await Promise.all([
      startTestServer({ config: { maxBufferedBytes: 256 * 1024 } }),
      startTestServer({ config: { heartbeatMs: 200 } }),
    ]);
  });
  afterAll(() => Promise.all([server?.close(), fastBeat?.close()]));

  it('closes a client that stops reading with 4008 once its buffer limit is passed; it then resumes', async () => {
    const alice = await newUser(server.url, 'alice');
    const roomId = await newRoom(server.url, alice);
    const slow = await WsClient.connect(server.url, alice.token);
    await slow.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const sender = await WsClient.connect(server.url, alice.token);
    const body = 'x'.repeat(15_000);
    for (const i of range(1, 800)) sender.send({ type: 'send', id: i, roomId, body });
    await sender.wait((f) => f.type === 'ack' && f.id === 800, 60_000);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closeEvent).code).toBe(4008);
    const got = slow.seqs(roomId);
    expect(got.length).toBeLessThan(800);
    const again = await WsClient.connect(server.url, alice.token);
    await again.request({ type: 'subscribe', id: 's', roomId, since: got.at(-1) ?? 0 });
    await again.wait((f) => f.type === 'message' && f.seq === 800, 30_000);
    expect([...got, ...again.seqs(roomId)]).toEqual(range(1, 800));
    await Promise.all([sender.close(), again.close()]);
  });

  it('drops a peer that stops answering pings', async () => {
    const alice = await newUser(fastBeat.url, 'alice');
    const silent = new WebSocket(`${fastBeat.url.replace('http', 'ws')}/ws?token=${alice.token}`, { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    await new Promise((resolve) => silent.on('open', resolve));
    const live = await WsClient.connect(fastBeat.url, alice.token);
    expect(await closed).toBe(1006);
    await live.ping();
    await live.close();
  });
});
