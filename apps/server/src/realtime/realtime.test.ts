import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, joinedRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { MODES, startTestServer, type TestServer } from '../test/harness.js';

describe.each(MODES)('real time over /ws (%s)', (mode) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ mode });
    [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
  });
  afterAll(() => server?.close());

  const sharedRoom = () => joinedRoom(server.url, alice, bob);

  it('acks a send after the commit and fans it out to every subscriber with the same seq', async () => {
    const roomId = await sharedRoom();
    const [wa, wb] = await Promise.all([
      WsClient.connect(server.url, alice.token),
      WsClient.connect(server.url, bob.token),
    ]);
    expect((await wa.request({ type: 'subscribe', id: 's', roomId })).type).toBe('ack');
    expect((await wb.request({ type: 'subscribe', id: 's', roomId })).type).toBe('ack');
    const ack = await wa.request({ type: 'send', id: 'm1', roomId, body: 'hello $E=mc^2$' });
    expect(ack).toMatchObject({ type: 'ack', id: 'm1', seq: 1 });
    const [got] = await Promise.all([wb.wait((f) => f.type === 'message'), wa.wait((f) => f.type === 'message')]);
    expect(got).toMatchObject({ roomId, seq: 1, body: 'hello $E=mc^2$', sender: { id: alice.user.id } });
    expect(await server.stored(roomId)).toEqual([{ seq: 1, body: 'hello $E=mc^2$' }]);
    // Sealed at rest: the plaintext column stays empty (docs/retention.md).
    const raw = await server.query<{ body: string | null; sealed_body: string }>(
      `select body, sealed_body from messages where room_id = '${roomId}'`,
    );
    expect(raw).toHaveLength(1);
    expect(raw[0]!.body).toBeNull();
    expect(raw[0]!.sealed_body).not.toContain('mc^2');
    await Promise.all([wa.close(), wb.close()]);
  });

  it('replays exactly the 50 missed messages after a disconnect, then live ones', async () => {
    const roomId = await sharedRoom();
    const wa = await WsClient.connect(server.url, alice.token);
    let wb = await WsClient.connect(server.url, bob.token);
    await wb.request({ type: 'subscribe', id: 's', roomId });
    await wa.request({ type: 'send', id: 'first', roomId, body: 'before' });
    await wb.wait((f) => f.type === 'message' && f.seq === 1);
    await wb.close();
    for (const i of range(1, 50)) await wa.request({ type: 'send', id: `m${i}`, roomId, body: `missed ${i}` });
    wb = await WsClient.connect(server.url, bob.token);
    await wb.request({ type: 'subscribe', id: 's2', roomId, since: 1 });
    await wb.wait((f) => f.type === 'message' && f.seq === 51);
    await wa.request({ type: 'send', id: 'live', roomId, body: 'live' });
    await wb.wait((f) => f.type === 'message' && f.seq === 52);
    expect(wb.seqs(roomId)).toEqual(range(2, 52));
    expect(wb.inbox.find((f) => f.seq === 2)?.body).toBe('missed 1');
    await Promise.all([wa.close(), wb.close()]);
  });

  it('keeps order with no duplicate and no hole when messages arrive during the replay', async () => {
    const roomId = await sharedRoom();
    const wa = await WsClient.connect(server.url, alice.token);
    for (const i of range(1, 300)) wa.send({ type: 'send', id: `a${i}`, roomId, body: `a${i}` });
    await wa.wait((f) => f.type === 'ack' && f.id === 'a150', 20_000);
    // Subscribe from 0 while the other half is still being stored and published.
    const wb = await WsClient.connect(server.url, bob.token);
    await wb.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    await wb.wait((f) => f.type === 'message' && f.seq === 300, 20_000);
    expect(wb.seqs(roomId)).toEqual(range(1, 300));
    // One client's messages are stored in the order it sent them.
    expect(wb.inbox.filter((f) => f.type === 'message').map((f) => f.body)).toEqual(range(1, 300).map((i) => `a${i}`));
    await Promise.all([wa.close(), wb.close()]);
  });

  it('stores a resend with the same clientMsgId once and acks it with the first seq', async () => {
    const roomId = await sharedRoom();
    const wa = await WsClient.connect(server.url, alice.token);
    const first = await wa.request({ type: 'send', id: 1, roomId, body: 'once', clientMsgId: 'c-1' });
    const again = await wa.request({ type: 'send', id: 2, roomId, body: 'once', clientMsgId: 'c-1' });
    expect(again).toMatchObject({ type: 'ack', id: 2, seq: first.seq, duplicate: true });
    const next = await wa.request({ type: 'send', id: 3, roomId, body: 'next', clientMsgId: 'c-2' });
    expect(next.seq).toBe(first.seq + 1);
    const rows = await server.query(`select seq from messages where room_id = '${roomId}'`);
    expect(rows).toHaveLength(2);
    await wa.close();
  });

  it('subscribing without since gives live messages only; a since beyond the head is clamped', async () => {
    const roomId = await sharedRoom();
    const wa = await WsClient.connect(server.url, alice.token);
    await wa.request({ type: 'send', id: 'old', roomId, body: 'old' });
    const wb = await WsClient.connect(server.url, bob.token);
    expect(await wb.request({ type: 'subscribe', id: 's', roomId })).toMatchObject({ lastSeq: 1 });
    const wc = await WsClient.connect(server.url, bob.token);
    await wc.request({ type: 'subscribe', id: 's', roomId, since: 1000 });
    await wa.request({ type: 'send', id: 'new', roomId, body: 'new' });
    await wb.wait((f) => f.type === 'message' && f.seq === 2);
    await wc.wait((f) => f.type === 'message' && f.seq === 2);
    expect(wb.seqs(roomId)).toEqual([2]);
    expect(wc.seqs(roomId)).toEqual([2]);
    await Promise.all([wa.close(), wb.close(), wc.close()]);
  });

  it('relays typing notices to the other subscribers only, and stops after unsubscribe', async () => {
    const roomId = await sharedRoom();
    const [wa, wb] = await Promise.all([
      WsClient.connect(server.url, alice.token),
      WsClient.connect(server.url, bob.token),
    ]);
    await wa.request({ type: 'subscribe', id: 's', roomId });
    await wb.request({ type: 'subscribe', id: 's', roomId });
    wa.send({ type: 'typing', roomId });
    expect(await wb.wait((f) => f.type === 'typing')).toMatchObject({ roomId, user: { id: alice.user.id } });
    expect(await wb.request({ type: 'unsubscribe', id: 'u', roomId })).toMatchObject({ type: 'ack', id: 'u' });
    await wa.request({ type: 'send', id: 'after', roomId, body: 'after unsubscribe' });
    await wa.wait((f) => f.type === 'message' && f.body === 'after unsubscribe');
    await wb.ping();
    expect(wa.inbox.some((f) => f.type === 'typing')).toBe(false);
    expect(wb.seqs(roomId)).toEqual([]);
    await Promise.all([wa.close(), wb.close()]);
  });

  it('ends the subscription of a member who leaves, and tells the others', async () => {
    const roomId = await sharedRoom();
    const [wa, wb] = await Promise.all([
      WsClient.connect(server.url, alice.token),
      WsClient.connect(server.url, bob.token),
    ]);
    await wa.request({ type: 'subscribe', id: 's', roomId });
    await wb.request({ type: 'subscribe', id: 's', roomId });
    expect((await api(server.url, 'POST', `/api/rooms/${roomId}/leave`, { token: bob.token })).status).toBe(204);
    expect(await wa.wait((f) => f.type === 'event' && f.kind === 'member.left')).toMatchObject({
      roomId,
      user: { id: bob.user.id },
    });
    await wb.wait((f) => f.type === 'event' && f.kind === 'member.left');
    await wa.request({ type: 'send', id: 'm', roomId, body: 'after leaving' });
    await wa.wait((f) => f.type === 'message' && f.body === 'after leaving');
    const send = await wb.request({ type: 'send', id: 'x', roomId, body: 'sneaky' });
    expect(send).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(wb.seqs(roomId)).toEqual([]);
    await Promise.all([wa.close(), wb.close()]);
  });

  it('closes the sockets of a session with 4401 when it logs out, and refuses the token afterwards', async () => {
    const carol = await newUser(server.url, 'carol');
    const ws = await WsClient.connect(server.url, carol.token);
    expect((await api(server.url, 'POST', '/api/auth/logout', { token: carol.token })).status).toBe(204);
    expect((await ws.closeEvent).code).toBe(4401);
    await expect(WsClient.connect(server.url, carol.token)).rejects.toThrow(/401/);
    expect((await api(server.url, 'GET', '/api/me', { token: carol.token })).status).toBe(401);
  });

  it('delivers to every socket of the same user', async () => {
    const roomId = await sharedRoom();
    const sockets = await Promise.all(range(1, 3).map(() => WsClient.connect(server.url, bob.token)));
    for (const ws of sockets) await ws.request({ type: 'subscribe', id: 's', roomId });
    const wa = await WsClient.connect(server.url, alice.token);
    await wa.request({ type: 'send', id: 'm', roomId, body: 'to all tabs' });
    for (const ws of sockets) await ws.wait((f) => f.type === 'message' && f.body === 'to all tabs');
    await eventually(() => sockets.every((ws) => ws.seqs(roomId).length === 1));
    await Promise.all([...sockets, wa].map((ws) => ws.close()));
  });
});
