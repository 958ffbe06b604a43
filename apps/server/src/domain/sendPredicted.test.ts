import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, joinedRoom, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { type SendStats, sendStats } from './messages.js';

const delta = (after: SendStats, before: SendStats) => ({
  predicted: after.predicted - before.predicted,
  mispredicted: after.mispredicted - before.mispredicted,
  alone: after.alone - before.alone,
});

/**
 * A send alone to a room the process already knows goes as one statement at a predicted seq (domain/messages.ts).
 * Whatever changed under the prediction, the send is answered exactly as the transactional way would, and the
 * room's seqs stay gapless.
 */
describe.each(['embedded', 'postgres'] as const)('sends at a predicted seq (%s)', (mode) => {
  let server: TestServer;
  let owner: TestUser;
  let member: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ mode });
    [owner, member] = await Promise.all([newUser(server.url, 'owner'), newUser(server.url, 'member')]);
  });
  afterAll(() => server?.close());
  const stats = () => sendStats(server.salon.domain);

  it('stores a steady stream in one statement per send: gapless seqs, bodies sealed and opened, acked after commit', async () => {
    const roomId = await joinedRoom(server.url, owner, member);
    const [sender, observer] = await Promise.all([
      WsClient.connect(server.url, member.token),
      WsClient.connect(server.url, owner.token),
    ]);
    await observer.request({ type: 'subscribe', id: 's', roomId });
    const before = stats();
    for (const i of range(1, 20)) {
      const ack = await sender.request({
        type: 'send',
        id: `m${i}`,
        roomId,
        body: `message ${i}`,
        clientMsgId: `c${i}`,
      });
      expect(ack).toMatchObject({ type: 'ack', seq: i });
      // Acked means committed: the row is there, its body opens under its seq.
      expect((await server.stored(roomId)).at(-1)).toEqual({ seq: i, body: `message ${i}` });
    }
    const d = delta(stats(), before);
    // The first send learns the room; every later one is predicted right.
    expect(d).toEqual({ predicted: 19, mispredicted: 0, alone: 1 });
    await observer.wait((f) => f.type === 'message' && f.seq === 20);
    expect(observer.seqs(roomId)).toEqual(range(1, 20));
    const history = await api<{ messages: Array<{ seq: number; body: string }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/messages?limit=50`,
      { token: owner.token },
    );
    expect(history.json.messages.map((m) => m.body)).toEqual(range(1, 20).map((i) => `message ${i}`));
    await Promise.all([sender.close(), observer.close()]);
  });

  it('falls back and answers exactly when the room changed under it: retention, resend, mute, removal', async () => {
    const roomId = await joinedRoom(server.url, owner, member);
    const [ws, ownerWs] = await Promise.all([
      WsClient.connect(server.url, member.token),
      WsClient.connect(server.url, owner.token),
    ]);
    expect(await ws.request({ type: 'send', id: 'a', roomId, body: 'a', clientMsgId: 'a' })).toMatchObject({ seq: 1 });
    expect(await ws.request({ type: 'send', id: 'b', roomId, body: 'b' })).toMatchObject({ seq: 2 });

    // The owner turns retention on: the prediction assumed none, so the send goes the transactional way and expires.
    const patch = await api(server.url, 'PATCH', `/api/rooms/${roomId}`, {
      token: owner.token,
      body: { retentionSeconds: 3600 },
    });
    expect(patch.status).toBe(200);
    let before = stats();
    const kept = await ws.request({ type: 'send', id: 'c', roomId, body: 'c' });
    expect(kept).toMatchObject({ type: 'ack', seq: 3 });
    expect(delta(stats(), before)).toMatchObject({ mispredicted: 1, alone: 1 });
    const [row] = await server.query<{ expires_at: unknown }>(
      `select expires_at from messages where room_id = '${roomId}' and seq = 3`,
    );
    expect(row?.expires_at).not.toBeNull();
    // A timer longer than the retention is refused with the reason, not stored.
    expect(await ws.request({ type: 'send', id: 'long', roomId, body: 'x', ttlSeconds: 7200 })).toMatchObject({
      type: 'error',
      code: 'invalid_request',
    });

    // A resend of the first message is answered with its first copy.
    before = stats();
    expect(await ws.request({ type: 'send', id: 'a2', roomId, body: 'a', clientMsgId: 'a' })).toMatchObject({
      type: 'ack',
      seq: 1,
      duplicate: true,
    });
    expect(await ws.request({ type: 'send', id: 'd', roomId, body: 'd' })).toMatchObject({ seq: 4 });
    expect(stats().predicted - before.predicted).toBeGreaterThanOrEqual(1);

    // Muted: the statement finds the mute under the lock; the refusal says why.
    const mute = await api(server.url, 'POST', `/api/rooms/${roomId}/members/${member.user.id}/mute`, {
      token: owner.token,
      body: { seconds: 600 },
    });
    expect(mute.status).toBe(204);
    const muted = await ws.request({ type: 'send', id: 'e', roomId, body: 'e' });
    expect(muted).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(muted.message).toContain('muted');
    expect(await ownerWs.request({ type: 'send', id: 'o1', roomId, body: 'owner' })).toMatchObject({ seq: 5 });

    // Removed: the next send is refused and takes no seq.
    const kick = await api(server.url, 'POST', `/api/rooms/${roomId}/members/${member.user.id}/kick`, {
      token: owner.token,
      body: {},
    });
    expect(kick.status).toBeLessThan(300);
    const refused = await ws.request({ type: 'send', id: 'f', roomId, body: 'f' });
    expect(refused.type).toBe('error');
    expect(await ownerWs.request({ type: 'send', id: 'o2', roomId, body: 'owner again' })).toMatchObject({ seq: 6 });

    expect(await server.stored(roomId)).toEqual([
      { seq: 1, body: 'a' },
      { seq: 2, body: 'b' },
      { seq: 3, body: 'c' },
      { seq: 4, body: 'd' },
      { seq: 5, body: 'owner' },
      { seq: 6, body: 'owner again' },
    ]);
    await Promise.all([ws.close(), ownerWs.close()]);
  });
  it('stores a burst over known rooms in one statement; a room with a surprise falls back alone', async () => {
    const others = await Promise.all(range(1, 4).map(() => newUser(server.url, 'burst')));
    const senders = [member, ...others];
    const rooms = await Promise.all(range(1, 3).map(() => newRoom(server.url, owner)));
    for (const roomId of rooms) {
      for (const u of senders) await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: u.token });
    }
    const ownerWs = await WsClient.connect(server.url, owner.token);
    // One send each makes the rooms known to the process.
    for (const roomId of rooms) await ownerWs.request({ type: 'send', id: `w-${roomId}`, roomId, body: 'warm' });
    const mutedRoom = rooms[1]!;
    const mute = await api(server.url, 'POST', `/api/rooms/${mutedRoom}/members/${member.user.id}/mute`, {
      token: owner.token,
      body: { seconds: 600 },
    });
    expect(mute.status).toBe(204);
    const sockets = await Promise.all(senders.map((u) => WsClient.connect(server.url, u.token)));
    const before = stats();
    const answers = await Promise.all(
      sockets.flatMap((ws, u) =>
        rooms.flatMap((roomId, r) =>
          range(1, 3).map((i) => ws.request({ type: 'send', id: `u${u}r${r}m${i}`, roomId, body: `u${u} m${i}` })),
        ),
      ),
    );
    const refused = answers.filter((a) => a.type === 'error');
    // Only the muted member's sends to the room where they are muted are refused, with the reason.
    expect(refused.map((a) => a.id).sort()).toEqual(['u0r1m1', 'u0r1m2', 'u0r1m3']);
    expect(refused.every((a) => a.code === 'forbidden' && String(a.message).includes('muted'))).toBe(true);
    const after = stats();
    // Several sends per statement: the burst's batches went as one statement each, over several rooms.
    expect(after.predicted - before.predicted).toBeGreaterThan(after.predictedStatements - before.predictedStatements);
    expect(after.predictedStatements - before.predictedStatements).toBeGreaterThan(0);
    for (const roomId of rooms) {
      const stored = await server.stored(roomId);
      const expected = roomId === mutedRoom ? 1 + 3 * (senders.length - 1) : 1 + 3 * senders.length;
      expect(stored.map((m) => m.seq)).toEqual(range(1, expected));
      for (const u of range(0, senders.length - 1)) {
        const mine = stored.filter((m) => m.body?.startsWith(`u${u} `)).map((m) => m.body);
        expect(mine).toEqual(roomId === mutedRoom && u === 0 ? [] : range(1, 3).map((i) => `u${u} m${i}`));
      }
    }
    await Promise.all([ownerWs.close(), ...sockets.map((ws) => ws.close())]);
  });
});

describe('sends at a predicted seq on two processes (PostgreSQL + Redis)', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    db = await createTestDatabase();
    const config = { database: { kind: 'postgres' as const, url: db.url } };
    a = await startTestServer({ mode: 'postgres+redis', config });
    b = await startTestServer({ mode: 'postgres+redis', config });
    [alice, bob] = await Promise.all([newUser(a.url, 'alice'), newUser(b.url, 'bob')]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  it("predicts past the other process's sends from what the broker announced; seqs stay gapless", async () => {
    const roomId = await newRoom(a.url, alice);
    expect((await api(b.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token })).status).toBe(200);
    const [wa, wb] = await Promise.all([WsClient.connect(a.url, alice.token), WsClient.connect(b.url, bob.token)]);
    // Subscribed, each process follows the room and hears of the other's sends.
    await wa.request({ type: 'subscribe', id: 's', roomId });
    await wb.request({ type: 'subscribe', id: 's', roomId });
    const before = [sendStats(a.salon.domain), sendStats(b.salon.domain)];
    for (const i of range(1, 10)) {
      const [ws, other] = i % 2 === 1 ? [wa, wb] : [wb, wa];
      expect(await ws.request({ type: 'send', id: `m${i}`, roomId, body: `m${i}` })).toMatchObject({ seq: i });
      await other.wait((f) => f.type === 'message' && f.roomId === roomId && f.seq === i);
    }
    const predicted =
      sendStats(a.salon.domain).predicted -
      before[0]!.predicted +
      sendStats(b.salon.domain).predicted -
      before[1]!.predicted;
    // Each process's first send learns the room; the other eight are predicted from the announced seqs.
    expect(predicted).toBe(8);
    expect((await a.stored(roomId)).map((m) => m.body)).toEqual(range(1, 10).map((i) => `m${i}`));
    await Promise.all([wa.close(), wb.close()]);
  });

  it('predicts once more, at the seq the lock found, when the other process took the predicted seq unannounced', async () => {
    const roomId = await newRoom(a.url, alice);
    expect((await api(b.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token })).status).toBe(200);
    // Nobody subscribes: neither process follows the room, so neither hears of the other's sends.
    const [wa, wb] = await Promise.all([WsClient.connect(a.url, alice.token), WsClient.connect(b.url, bob.token)]);
    expect(await wa.request({ type: 'send', id: 'm1', roomId, body: 'm1' })).toMatchObject({ seq: 1 });
    expect(await wb.request({ type: 'send', id: 'm2', roomId, body: 'm2' })).toMatchObject({ seq: 2 });
    const before = sendStats(a.salon.domain);
    // A predicts seq 2, finds 2 taken under the lock, and stores at 3 by a second prediction, not a transaction.
    expect(await wa.request({ type: 'send', id: 'm3', roomId, body: 'm3' })).toMatchObject({ seq: 3 });
    const after = sendStats(a.salon.domain);
    expect({
      predicted: after.predicted - before.predicted,
      mispredicted: after.mispredicted - before.mispredicted,
      repredicted: after.repredicted - before.repredicted,
      alone: after.alone - before.alone,
    }).toEqual({ predicted: 1, mispredicted: 1, repredicted: 1, alone: 0 });
    // The next send predicts right from there.
    expect(await wa.request({ type: 'send', id: 'm4', roomId, body: 'm4' })).toMatchObject({ seq: 4 });
    expect(sendStats(a.salon.domain).predicted - after.predicted).toBe(1);
    expect(await a.stored(roomId)).toEqual(range(1, 4).map((seq) => ({ seq, body: `m${seq}` })));
    await Promise.all([wa.close(), wb.close()]);
  });
});
