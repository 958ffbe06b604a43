import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { sendStats } from './messages.js';

/**
 * Group commit (domain/messages.ts): sends that arrive together are stored in one transaction. Each send still
 * passes its own checks, is acked only once committed, and each room's seqs stay gapless and in send order.
 */
describe.each(['embedded', 'postgres'] as const)('sends committed in batches (%s)', (mode) => {
  let server: TestServer;
  let owner: TestUser;
  let users: TestUser[];
  beforeAll(async () => {
    server = await startTestServer({ mode });
    owner = await newUser(server.url, 'owner');
    users = await Promise.all(range(1, 10).map(() => newUser(server.url, 'member')));
  });
  afterAll(() => server?.close());
  const stats = () => sendStats(server.salon.domain);

  async function roomWithEveryone(visibility: 'public' | 'private' = 'public') {
    const roomId = await newRoom(server.url, owner, visibility);
    if (visibility === 'public') {
      for (const u of users) await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: u.token });
    }
    return roomId;
  }

  it('stores a burst from many sockets over several rooms: every send acked once, gapless seqs in send order', async () => {
    const rooms = await Promise.all(range(1, 3).map(() => roomWithEveryone()));
    const observer = await WsClient.connect(server.url, owner.token);
    for (const roomId of rooms) await observer.request({ type: 'subscribe', id: `s-${roomId}`, roomId });
    const sockets = await Promise.all(users.map((u) => WsClient.connect(server.url, u.token)));
    const before = stats();
    const perSocket = 5;
    const acks = await Promise.all(
      sockets.flatMap((ws, u) =>
        rooms.flatMap((roomId, r) =>
          range(1, perSocket).map((i) =>
            ws.request({
              type: 'send',
              id: `u${u}r${r}m${i}`,
              roomId,
              body: `u${u} m${i}`,
              clientMsgId: `c${u}-${r}-${i}`,
            }),
          ),
        ),
      ),
    );
    expect(acks.every((a) => a.type === 'ack' && a.duplicate === undefined)).toBe(true);
    const total = users.length * perSocket;
    for (const roomId of rooms) {
      const stored = await server.stored(roomId);
      expect(stored.map((m) => m.seq)).toEqual(range(1, total));
      // Each sender's messages in the order it sent them.
      for (const u of range(0, users.length - 1)) {
        const mine = stored.filter((m) => m.body?.startsWith(`u${u} `)).map((m) => m.body);
        expect(mine).toEqual(range(1, perSocket).map((i) => `u${u} m${i}`));
      }
      await observer.wait((f) => f.type === 'message' && f.roomId === roomId && f.seq === total);
      expect(observer.seqs(roomId)).toEqual(range(1, total));
    }
    const after = stats();
    expect(after.fallbacks - before.fallbacks).toBe(0);
    const batches = after.batches - before.batches;
    expect(batches).toBeGreaterThan(0);
    // More than one send per transaction on average, and every send went one way or the other.
    expect(after.batchedSends - before.batchedSends).toBeGreaterThan(batches);
    const aloneOrPredicted = after.alone - before.alone + after.predicted - before.predicted;
    expect(after.batchedSends - before.batchedSends + aloneOrPredicted).toBe(total * rooms.length);
    await Promise.all([observer.close(), ...sockets.map((ws) => ws.close())]);
  });

  it('admits each send of a burst on its own: a muted member and an outsider are refused, the rest stored', async () => {
    const roomId = await roomWithEveryone();
    const secret = await roomWithEveryone('private');
    const [muted, ...others] = users;
    const mute = await api(server.url, 'POST', `/api/rooms/${roomId}/members/${muted!.user.id}/mute`, {
      token: owner.token,
      body: { seconds: 600 },
    });
    expect(mute.status).toBe(204);
    const [mutedWs, ...otherWs] = await Promise.all(
      [muted!, ...others].map((u) => WsClient.connect(server.url, u.token)),
    );
    const answers = await Promise.all([
      mutedWs!.request({ type: 'send', id: 'muted', roomId, body: 'shh' }),
      otherWs[0]!.request({ type: 'send', id: 'outsider', roomId: secret, body: 'let me in' }),
      ...otherWs.map((ws, i) => ws.request({ type: 'send', id: `ok${i}`, roomId, body: `ok ${i}` })),
    ]);
    expect(answers[0]).toMatchObject({ type: 'error', id: 'muted', code: 'forbidden' });
    expect(answers[1]).toMatchObject({ type: 'error', id: 'outsider', code: 'not_found' });
    expect(answers.slice(2).every((a) => a.type === 'ack')).toBe(true);
    const stored = await server.stored(roomId);
    expect(stored.map((m) => m.seq)).toEqual(range(1, others.length));
    expect(new Set(stored.map((m) => m.body))).toEqual(new Set(others.map((_, i) => `ok ${i}`)));
    expect(await server.stored(secret)).toEqual([]);
    await Promise.all([mutedWs!.close(), ...otherWs.map((ws) => ws.close())]);
  });

  it('answers resends in a burst with the first copy, stored earlier or in the same batch', async () => {
    const roomId = await roomWithEveryone();
    const [a, b] = users;
    const wa = await WsClient.connect(server.url, a!.token);
    const first = await wa.request({ type: 'send', id: 'x1', roomId, body: 'x', clientMsgId: 'x' });
    expect(first).toMatchObject({ type: 'ack', seq: 1 });
    // Two tabs of the same user resend one new message at once, while the earlier one is resent too.
    const [tab1, tab2] = await Promise.all([
      WsClient.connect(server.url, b!.token),
      WsClient.connect(server.url, b!.token),
    ]);
    const [again, y1, y2] = await Promise.all([
      wa.request({ type: 'send', id: 'x2', roomId, body: 'x', clientMsgId: 'x' }),
      tab1.request({ type: 'send', id: 'y1', roomId, body: 'y', clientMsgId: 'y' }),
      tab2.request({ type: 'send', id: 'y2', roomId, body: 'y', clientMsgId: 'y' }),
    ]);
    expect(again).toMatchObject({ type: 'ack', seq: 1, duplicate: true });
    expect(y1.type).toBe('ack');
    expect(y2).toMatchObject({ type: 'ack', seq: y1.seq });
    expect([y1.duplicate, y2.duplicate].filter(Boolean)).toHaveLength(1);
    expect(await server.stored(roomId)).toEqual([
      { seq: 1, body: 'x' },
      { seq: 2, body: 'y' },
    ]);
    await Promise.all([wa.close(), tab1.close(), tab2.close()]);
  });
});
