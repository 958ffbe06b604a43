import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, joinedRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';

/**
 * Replays served from each room's recent window in memory (realtime/feed.ts): the same messages as the store
 * would give, never a deleted body or an expired message, and no store read for a socket that resumes inside it.
 * The purge is off here, so expired messages stay in the store and only the reads' own filters hide them.
 */
describe.each(['embedded', 'postgres+redis'] as const)('replays from memory (%s)', (mode) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ mode, config: { purgeIntervalMs: 0 } });
    [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
  });
  afterAll(() => server?.close());
  const stats = () => ({ ...server.salon.registry.feedStats });

  const sharedRoom = () => joinedRoom(server.url, alice, bob);

  it('resumes twenty sockets inside the window without reading the store, in order, with nothing twice', async () => {
    const roomId = await sharedRoom();
    const wa = await WsClient.connect(server.url, alice.token);
    await wa.request({ type: 'subscribe', id: 's', roomId });
    for (const i of range(1, 30)) await wa.request({ type: 'send', id: `m${i}`, roomId, body: `m${i}` });
    await wa.wait((f) => f.type === 'message' && f.seq === 30);
    const before = stats();
    const sockets = await Promise.all(range(1, 20).map(() => WsClient.connect(server.url, bob.token)));
    await Promise.all(sockets.map((ws, i) => ws.request({ type: 'subscribe', id: 's', roomId, since: i })));
    await Promise.all(sockets.map((ws) => ws.wait((f) => f.type === 'message' && f.seq === 30)));
    await wa.request({ type: 'send', id: 'live', roomId, body: 'live' });
    await Promise.all(sockets.map((ws) => ws.wait((f) => f.type === 'message' && f.seq === 31)));
    sockets.forEach((ws, i) => {
      expect(ws.seqs(roomId)).toEqual(range(i + 1, 31));
    });
    expect(sockets[0]!.inbox.find((f) => f.seq === 7)?.body).toBe('m7');
    const after = stats();
    expect(after.storeReads - before.storeReads).toBe(0);
    expect(after.memoryReplays - before.memoryReplays).toBeGreaterThanOrEqual(20);
    await Promise.all([wa.close(), ...sockets.map((ws) => ws.close())]);
  });

  it('replays a message deleted after it was delivered as the tombstone the store holds', async () => {
    const roomId = await sharedRoom();
    const wa = await WsClient.connect(server.url, alice.token);
    await wa.request({ type: 'subscribe', id: 's', roomId });
    for (const i of range(1, 3)) await wa.request({ type: 'send', id: `m${i}`, roomId, body: `secret ${i}` });
    await wa.wait((f) => f.type === 'message' && f.seq === 3);
    const del = await api(server.url, 'DELETE', `/api/rooms/${roomId}/messages/2`, { token: alice.token });
    expect(del.status).toBe(204);
    await wa.wait((f) => f.type === 'event' && f.kind === 'message.deleted');
    const wb = await WsClient.connect(server.url, bob.token);
    await wb.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    await wb.wait((f) => f.type === 'message' && f.seq === 3);
    expect(wb.seqs(roomId)).toEqual([1, 2, 3]);
    const replayed = wb.inbox.find((f) => f.type === 'message' && f.seq === 2)!;
    expect(replayed.body).toBeUndefined();
    expect(replayed.deletedAt).toEqual(expect.any(String));
    expect(JSON.stringify(wb.inbox)).not.toContain('secret 2');
    // Messages delivered after the deletion are served from memory again.
    await wa.request({ type: 'send', id: 'm4', roomId, body: 'secret 4' });
    await wb.wait((f) => f.type === 'message' && f.seq === 4);
    const before = stats();
    const wc = await WsClient.connect(server.url, bob.token);
    await wc.request({ type: 'subscribe', id: 's', roomId, since: 3 });
    expect((await wc.wait((f) => f.type === 'message')).seq).toBe(4);
    expect(stats().storeReads - before.storeReads).toBe(0);
    await Promise.all([wa.close(), wb.close(), wc.close()]);
  });

  for (const where of ['memory', 'the store'] as const) {
    it(`never replays an expired message, from ${where}, and goes live after it`, async () => {
      const roomId = await sharedRoom();
      const wa = await WsClient.connect(server.url, alice.token);
      // With a live subscriber the room's feed (and its window) exists; without, the replay reads the store.
      if (where === 'memory') await wa.request({ type: 'subscribe', id: 's', roomId });
      await wa.request({ type: 'send', id: 'k', roomId, body: 'keeper' });
      const short = await wa.request({ type: 'send', id: 'x', roomId, body: 'short-lived', ttlSeconds: 1 });
      expect(short.seq).toBe(2);
      // Past its expiry; the purge is off, so it is still stored.
      await eventually(
        async () => {
          const rows = await server.query<{ expired: boolean }>(
            `select expires_at <= now() as expired from messages where room_id = '${roomId}' and seq = 2`,
          );
          return rows[0]?.expired === true;
        },
        5000,
        'the message to expire',
      );
      const before = stats();
      const wb = await WsClient.connect(server.url, bob.token);
      const ack = await wb.request({ type: 'subscribe', id: 's', roomId, since: 0 });
      expect(ack.lastSeq).toBe(2);
      await wb.wait((f) => f.type === 'message' && f.seq === 1);
      await wb.ping();
      // The replay ended at the expired seq: one store read at most, not one per turn until the purge.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stats().storeReads - before.storeReads).toBeLessThanOrEqual(1);
      await wa.request({ type: 'send', id: 'after', roomId, body: 'after' });
      await wb.wait((f) => f.type === 'message' && f.seq === 3);
      expect(wb.seqs(roomId)).toEqual([1, 3]);
      expect(JSON.stringify(wb.inbox)).not.toContain('short-lived');
      await Promise.all([wa.close(), wb.close()]);
    });
  }
});
