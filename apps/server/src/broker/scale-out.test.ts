import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { type ServerProcess, spawnServer } from '../test/harness.js';
import { createTestDatabase, queryDatabase, REDIS_URL, type TestDatabase } from '../test/postgres.js';

const ADMIN_CLI = fileURLToPath(new URL('../../dist/cli/admin.js', import.meta.url));

describe('two server processes on one PostgreSQL + Redis form one chat', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL };
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    // Accounts made on A log in on B: sessions live in the shared database.
    alice = await newUser(a.url, 'alice');
    bob = await newUser(b.url, 'bob');
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('a client on A and a client on B see each other in the same seq order', async () => {
    const roomId = await newRoom(a.url, alice);
    expect((await api(b.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token })).status).toBe(200);
    const [wa, wb] = await Promise.all([WsClient.connect(a.url, alice.token), WsClient.connect(b.url, bob.token)]);
    await wa.request({ type: 'subscribe', id: 's', roomId });
    await wb.request({ type: 'subscribe', id: 's', roomId });
    expect(await wa.request({ type: 'send', id: 'a1', roomId, body: 'from A' })).toMatchObject({ seq: 1 });
    expect(await wb.request({ type: 'send', id: 'b1', roomId, body: 'from B' })).toMatchObject({ seq: 2 });
    for (const ws of [wa, wb]) await ws.wait((f) => f.type === 'message' && f.seq === 2);
    expect(wa.inbox.filter((f) => f.type === 'message').map((f) => f.body)).toEqual(['from A', 'from B']);
    expect(wb.inbox.filter((f) => f.type === 'message').map((f) => f.body)).toEqual(['from A', 'from B']);
    await Promise.all([wa.close(), wb.close()]);
  });

  it('2 senders x 200 concurrent messages on the two processes give seqs 1..400 everywhere', async () => {
    const roomId = await newRoom(a.url, alice);
    await api(b.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
    const subscribers = await Promise.all([
      WsClient.connect(a.url, alice.token),
      WsClient.connect(b.url, bob.token),
      WsClient.connect(a.url, bob.token),
      WsClient.connect(b.url, alice.token),
    ]);
    for (const ws of subscribers) await ws.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    const [senderA, senderB] = await Promise.all([
      WsClient.connect(a.url, alice.token),
      WsClient.connect(b.url, bob.token),
    ]);
    for (const i of range(1, 200)) {
      senderA.send({ type: 'send', id: `a${i}`, roomId, body: `a${i}`, clientMsgId: `a${i}` });
      senderB.send({ type: 'send', id: `b${i}`, roomId, body: `b${i}`, clientMsgId: `b${i}` });
    }
    const acks = await Promise.all([
      ...range(1, 200).map((i) => senderA.wait((f) => f.type === 'ack' && f.id === `a${i}`, 30_000)),
      ...range(1, 200).map((i) => senderB.wait((f) => f.type === 'ack' && f.id === `b${i}`, 30_000)),
    ]);
    expect(acks.map((f) => f.seq).sort((x, y) => x - y)).toEqual(range(1, 400));
    for (const ws of subscribers) await ws.wait((f) => f.type === 'message' && f.seq === 400, 30_000);
    await Promise.all(subscribers.map((ws) => ws.ping()));
    const order = subscribers[0]!.inbox.filter((f) => f.type === 'message').map((f) => f.body);
    for (const ws of subscribers) {
      expect(ws.seqs(roomId)).toEqual(range(1, 400));
      expect(ws.inbox.filter((f) => f.type === 'message').map((f) => f.body)).toEqual(order);
    }
    // Each sender's messages keep the order it sent them in.
    expect(order.filter((body) => body.startsWith('a'))).toEqual(range(1, 200).map((i) => `a${i}`));
    const stored = await queryDatabase<{ seq: string }>(
      db.url,
      'select seq from messages where room_id = $1 order by seq',
      [roomId],
    );
    expect(stored.map((r) => Number(r.seq))).toEqual(range(1, 400));
    await Promise.all([...subscribers, senderA, senderB].map((ws) => ws.close()));
  });

  it('a member kicked on A stops receiving on B at once: nothing sent after the kick reaches that socket', async () => {
    const roomId = await newRoom(a.url, alice);
    await api(a.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
    const [wa, wb] = await Promise.all([WsClient.connect(a.url, alice.token), WsClient.connect(b.url, bob.token)]);
    await wa.request({ type: 'subscribe', id: 's', roomId });
    await wb.request({ type: 'subscribe', id: 's', roomId });
    const before = await wa.request({ type: 'send', id: 'before', roomId, body: 'before the kick' });
    await wb.wait((f) => f.type === 'message' && f.seq === before.seq);
    const kick = await api(a.url, 'POST', `/api/rooms/${roomId}/members/${bob.user.id}/kick`, {
      token: alice.token,
      body: { reason: 'test' },
    });
    expect(kick.status).toBe(204);
    // Sent right after the kick's answer, before B could have heard of it through Redis.
    for (const i of range(1, 20)) wa.send({ type: 'send', id: `after${i}`, roomId, body: `after ${i}` });
    await wa.wait((f) => f.type === 'message' && f.body === 'after 20', 10_000);
    await wb.wait((f) => f.type === 'event' && f.kind === 'member.kicked');
    await wb.ping();
    expect(wb.inbox.filter((f) => f.type === 'message').map((f) => f.body)).toEqual(['before the kick']);
    expect((await wb.request({ type: 'subscribe', id: 'again', roomId, since: 0 })).code).toBe('forbidden');
    await Promise.all([wa.close(), wb.close()]);
  });

  it('a platform admin made by the command line sees every room, not its messages', async () => {
    const boss = await newUser(a.url, 'boss');
    const denied = await api(a.url, 'GET', '/api/admin/rooms', { token: boss.token });
    expect(denied.json.error?.code).toBe('forbidden');
    const run = spawnSync(process.execPath, [ADMIN_CLI, 'create-admin', boss.user.username], {
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect([run.status, run.stdout]).toEqual([0, `${boss.user.username} is now a platform administrator\n`]);
    const secret = await newRoom(a.url, alice, 'private');
    const ws = await WsClient.connect(a.url, alice.token);
    await ws.request({ type: 'send', id: 'm', roomId: secret, body: 'confidential result' });
    await ws.close();
    const rooms = await api<{ rooms: Array<{ id: string; memberCount: number }> }>(b.url, 'GET', '/api/admin/rooms', {
      token: boss.token,
    });
    expect(rooms.json.rooms.find((r) => r.id === secret)).toMatchObject({ memberCount: 1 });
    expect(JSON.stringify(rooms.json)).not.toContain('confidential result');
    expect((await api(b.url, 'GET', `/api/rooms/${secret}/messages`, { token: boss.token })).status).toBe(404);
    const audit = await api<{ entries: Array<{ action: string }>; verified: boolean }>(
      b.url,
      'GET',
      '/api/admin/audit',
      {
        token: boss.token,
      },
    );
    expect(audit.json.verified).toBe(true);
    expect(audit.json.entries.map((e) => e.action)).toContain('platform.admin_granted');
  });

  it("a logout on A closes the same session's socket on B", async () => {
    const carol = await newUser(a.url, 'carol');
    const onB = await WsClient.connect(b.url, carol.token);
    await onB.ping();
    expect((await api(a.url, 'POST', '/api/auth/logout', { token: carol.token })).status).toBe(204);
    expect((await onB.closeEvent).code).toBe(4401);
  });
});
