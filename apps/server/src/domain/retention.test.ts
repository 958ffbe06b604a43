import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { type ServerProcess, spawnServer, startTestServer, type TestServer } from '../test/harness.js';
import { createTestDatabase, queryDatabase, REDIS_URL, type TestDatabase } from '../test/postgres.js';

/** Inserts `count` already-expired messages straight into the store, as if their time had run out. */
async function seedExpired(query: (sql: string) => Promise<unknown>, roomId: string, senderId: string, count: number) {
  await query(`
    insert into messages (room_id, seq, sender_id, body, created_at, expires_at)
    select '${roomId}', g, '${senderId}', 'expired ' || g, now() - interval '1 hour', now() - interval '1 minute'
    from generate_series(1, ${count}) g`);
  await query(`update rooms set last_seq = ${count} where id = '${roomId}'`);
}

describe.each(['embedded', 'postgres'] as const)('disappearing messages (%s)', (mode) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ mode, config: { purgeIntervalMs: 100 } });
    [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
  });
  afterAll(() => server?.close());

  it('serves a 2-second message until it expires, then nothing: history, replay, store and a live event', async () => {
    const roomId = await newRoom(server.url, alice);
    await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
    const [wa, wb] = await Promise.all([
      WsClient.connect(server.url, alice.token),
      WsClient.connect(server.url, bob.token),
    ]);
    await wb.request({ type: 'subscribe', id: 's', roomId });
    const ack = await wa.request({ type: 'send', id: 'm', roomId, body: 'self-destructing', ttlSeconds: 2 });
    await wa.request({ type: 'send', id: 'k', roomId, body: 'keeper' });
    const live = await wb.wait((f) => f.type === 'message' && f.seq === ack.seq);
    expect(Date.parse(live.expiresAt) - Date.parse(live.createdAt)).toBe(2000);
    const history = async () =>
      (
        await api<{ messages: Array<{ seq: number; body?: string }> }>(
          server.url,
          'GET',
          `/api/rooms/${roomId}/messages`,
          { token: bob.token },
        )
      ).json.messages;
    expect((await history()).map((m) => m.body)).toEqual(['self-destructing', 'keeper']);
    expect(await wb.wait((f) => f.type === 'event' && f.kind === 'message.expired', 10_000)).toMatchObject({
      roomId,
      seqs: [ack.seq],
    });
    expect((await history()).map((m) => m.body)).toEqual(['keeper']);
    expect(
      await server.query(`select seq from messages where room_id = '${roomId}' and body = 'self-destructing'`),
    ).toEqual([]);
    // A client that was away across the expiry resumes without it: the seq is simply gone, not a loss.
    const late = await WsClient.connect(server.url, bob.token);
    await late.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    await late.wait((f) => f.type === 'message' && f.body === 'keeper');
    await late.ping();
    expect(late.seqs(roomId)).toEqual([ack.seq + 1]);
    await Promise.all([wa.close(), wb.close(), late.close()]);
  });

  it('applies room retention to new messages, refuses longer timers, and audits the change', async () => {
    const roomId = await newRoom(server.url, alice);
    const ws = await WsClient.connect(server.url, alice.token);
    const before = await ws.request({ type: 'send', id: 'a', roomId, body: 'kept forever' });
    const patch = await api<{ room: { retentionSeconds: number } }>(server.url, 'PATCH', `/api/rooms/${roomId}`, {
      token: alice.token,
      body: { retentionSeconds: 3600 },
    });
    expect(patch.json.room.retentionSeconds).toBe(3600);
    const tooShort = await api(server.url, 'PATCH', `/api/rooms/${roomId}`, {
      token: alice.token,
      body: { retentionSeconds: 5 },
    });
    expect(tooShort.json.error?.code).toBe('invalid_request');
    await ws.request({ type: 'send', id: 'b', roomId, body: 'fades in an hour' });
    expect((await ws.request({ type: 'send', id: 'c', roomId, body: 'x', ttlSeconds: 7200 })).code).toBe(
      'invalid_request',
    );
    await ws.request({ type: 'send', id: 'd', roomId, body: 'fades sooner', ttlSeconds: 60 });
    const msgs = (
      await api<{ messages: Array<{ seq: number; createdAt: string; expiresAt?: string }> }>(
        server.url,
        'GET',
        `/api/rooms/${roomId}/messages`,
        { token: alice.token },
      )
    ).json.messages;
    const life = msgs.map((m) => (m.expiresAt ? (Date.parse(m.expiresAt) - Date.parse(m.createdAt)) / 1000 : null));
    expect(life).toEqual([null, 3600, 60]);
    expect(msgs[0]?.seq).toBe(before.seq);
    const audit = await api<{ entries: Array<{ action: string; details: Record<string, unknown> }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/audit`,
      { token: alice.token },
    );
    expect(audit.json.entries.at(-1)).toMatchObject({ action: 'room.updated', details: { retentionSeconds: 3600 } });
    await ws.close();
  });

  it('purges 10,000 expired messages in batches while sends to the same room keep being acked', async () => {
    const roomId = await newRoom(server.url, alice);
    await seedExpired((q) => server.query(q), roomId, alice.user.id, 10_000);
    const ws = await WsClient.connect(server.url, alice.token);
    const acks = [];
    for (const i of range(1, 20))
      acks.push(await ws.request({ type: 'send', id: i, roomId, body: `during purge ${i}` }));
    expect(acks.map((a) => a.seq)).toEqual(range(10_001, 10_020));
    await eventually(
      async () =>
        (await server.query(`select 1 from messages where room_id = '${roomId}' and seq <= 10000 limit 1`)).length ===
        0,
      60_000,
      'purge',
    );
    const left = await server.query<{ n: string }>(`select count(*) as n from messages where room_id = '${roomId}'`);
    expect(Number(left[0]?.n)).toBe(20);
    await ws.close();
  });
});

describe('two processes purging the same database at once', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Both purge every 20 ms, so they are sure to collide.
    const env = { DATABASE_URL: db.url, REDIS_URL, SALON_PURGE_INTERVAL_MS: '20' };
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('deletes each expired message once, announces each once, and both stay healthy', async () => {
    const alice = await newUser(a.url, 'alice');
    const roomId = await newRoom(a.url, alice);
    const [onA, onB] = await Promise.all([WsClient.connect(a.url, alice.token), WsClient.connect(b.url, alice.token)]);
    for (const ws of [onA, onB]) await ws.request({ type: 'subscribe', id: 's', roomId });
    await seedExpired((q) => queryDatabase(db.url, q), roomId, alice.user.id, 3000);
    const expired = (ws: WsClient) =>
      ws.inbox.filter((f) => f.type === 'event' && f.kind === 'message.expired').flatMap((f) => f.seqs as number[]);
    await eventually(() => expired(onA).length >= 3000 && expired(onB).length >= 3000, 30_000, 'expiry events');
    await Promise.all([onA.ping(), onB.ping()]);
    for (const ws of [onA, onB]) expect(expired(ws).sort((x, y) => x - y)).toEqual(range(1, 3000));
    expect(await queryDatabase(db.url, 'select 1 from messages where room_id = $1', [roomId])).toEqual([]);
    for (const url of [a.url, b.url]) expect((await api(url, 'GET', '/readyz')).status).toBe(200);
    await Promise.all([onA.close(), onB.close()]);
  });
});
