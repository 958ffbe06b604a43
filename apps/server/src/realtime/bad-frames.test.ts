import { MAX_FRAME_BYTES, MAX_MESSAGE_CHARS } from '@salon/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, newRoom, newUser, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { storeSnapshot } from '../test/snapshot.js';

describe('/ws refuses bad frames with an error frame and keeps the connection', () => {
  let server: TestServer;
  let member: TestUser;
  let outsider: TestUser;
  let room: string;
  let privateRoom: string;
  let ws: WsClient;
  let before: string;

  beforeAll(async () => {
    server = await startTestServer();
    [member, outsider] = await Promise.all([newUser(server.url, 'member'), newUser(server.url, 'outsider')]);
    room = await newRoom(server.url, member, 'public');
    privateRoom = await newRoom(server.url, member, 'private');
    ws = await WsClient.connect(server.url, member.token);
    await ws.request({ type: 'subscribe', id: 'sub', roomId: room });
    await ws.request({ type: 'send', id: 'seed', roomId: room, body: 'seed' });
  });
  afterAll(async () => {
    await ws?.close();
    await server?.close();
  });
  beforeEach(async () => {
    ws.inbox.length = 0;
    before = await storeSnapshot(server);
  });

  /** Sends a raw frame, expects an error with the code, then proves the socket still works and nothing changed. */
  async function expectError(client: WsClient, raw: unknown, code: string, id?: unknown) {
    const count = client.inbox.length;
    client.send(raw);
    const err = await client.wait((f) => f.type === 'error' && client.inbox.indexOf(f) >= count);
    expect(err.code).toBe(code);
    expect(typeof err.message).toBe('string');
    if (id !== undefined) expect(err.id).toBe(id);
    await client.ping();
    expect(await storeSnapshot(server)).toBe(before);
    return err;
  }

  it('malformed JSON and non-objects -> invalid_request', async () => {
    await expectError(ws, '{"type": "send",', 'invalid_request');
    await expectError(ws, 'hello', 'invalid_request');
    await expectError(ws, '[1,2,3]', 'invalid_request');
    await expectError(ws, '42', 'invalid_request');
    await expectError(ws, 'null', 'invalid_request');
  });

  it('unknown or missing type -> invalid_request, with the id echoed', async () => {
    await expectError(ws, { type: 'explode', id: 'x1' }, 'invalid_request', 'x1');
    await expectError(ws, { id: 'x2', roomId: room }, 'invalid_request', 'x2');
    await expectError(ws, { type: '__proto__', id: 'x3' }, 'invalid_request', 'x3');
    await expectError(ws, { type: 'toString', id: 'x4' }, 'invalid_request', 'x4');
  });

  it('mistyped and out-of-range fields -> invalid_request', async () => {
    await expectError(ws, { type: 'subscribe', id: 'a', roomId: 5 }, 'invalid_request', 'a');
    await expectError(ws, { type: 'subscribe', id: 'b', roomId: room, since: -1 }, 'invalid_request', 'b');
    await expectError(ws, { type: 'subscribe', id: 'c', roomId: room, since: 1e300 }, 'invalid_request', 'c');
    await expectError(ws, { type: 'send', id: 'd', roomId: room, body: 123 }, 'invalid_request', 'd');
    await expectError(ws, { type: 'send', id: 'e', roomId: room, body: '   ' }, 'invalid_request', 'e');
    await expectError(ws, { type: 'send', id: 'f', roomId: room }, 'invalid_request', 'f');
    await expectError(
      ws,
      { type: 'send', id: 'g', roomId: room, body: 'x', ciphertext: 'eA==' },
      'invalid_request',
      'g',
    );
    await expectError(ws, { type: 'send', id: 'h', roomId: room, body: 'x', ttlSeconds: 0 }, 'invalid_request', 'h');
    await expectError(
      ws,
      { type: 'send', id: 'i', roomId: room, body: 'x', clientMsgId: 'bad id!' },
      'invalid_request',
      'i',
    );
    await expectError(ws, { type: 'send', id: 'j', roomId: room, body: 'x', extra: true }, 'invalid_request', 'j');
    await expectError(ws, { type: 'ping' }, 'invalid_request');
    await expectError(ws, { type: 'ping', id: { nested: true } }, 'invalid_request');
  });

  it('a body over the message limit -> invalid_request; ciphertext in a plaintext room -> invalid_request', async () => {
    await expectError(
      ws,
      { type: 'send', id: 'k', roomId: room, body: 'x'.repeat(MAX_MESSAGE_CHARS + 1) },
      'invalid_request',
      'k',
    );
    await expectError(ws, { type: 'send', id: 'l', roomId: room, ciphertext: 'AAAA' }, 'invalid_request', 'l');
  });

  it('a binary frame -> invalid_request', async () => {
    const count = ws.inbox.length;
    ws.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    const err = await ws.wait((f) => f.type === 'error' && ws.inbox.indexOf(f) >= count);
    expect(err.code).toBe('invalid_request');
    await ws.ping();
  });

  it('unknown room -> not_found for subscribe and send', async () => {
    for (const roomId of ['00000000-0000-4000-8000-000000000000', 'not-a-room']) {
      await expectError(ws, { type: 'subscribe', id: 's', roomId }, 'not_found', 's');
      await expectError(ws, { type: 'send', id: 'm', roomId, body: 'x' }, 'not_found', 'm');
    }
  });

  it('a non-member gets forbidden (public) or not_found (private) and receives nothing', async () => {
    const intruder = await WsClient.connect(server.url, outsider.token);
    await expectError(intruder, { type: 'subscribe', id: 's1', roomId: room }, 'forbidden', 's1');
    await expectError(intruder, { type: 'send', id: 'm1', roomId: room, body: 'let me in' }, 'forbidden', 'm1');
    await expectError(intruder, { type: 'subscribe', id: 's2', roomId: privateRoom }, 'not_found', 's2');
    await expectError(intruder, { type: 'send', id: 'm2', roomId: privateRoom, body: 'x' }, 'not_found', 'm2');
    await expectError(intruder, { type: 'typing', roomId: room }, 'forbidden');
    await ws.request({ type: 'send', id: 'real', roomId: room, body: 'members only' });
    await ws.wait((f) => f.type === 'message' && f.body === 'members only');
    await intruder.ping();
    expect(intruder.inbox.filter((f) => f.type === 'message' || f.type === 'typing')).toEqual([]);
    await intruder.close();
  });

  it('a frame over 64 KiB closes that socket with 1009; other sockets carry on', async () => {
    const big = await WsClient.connect(server.url, member.token);
    big.send({ type: 'send', id: 'big', roomId: room, body: 'x'.repeat(MAX_FRAME_BYTES) });
    expect((await big.closeEvent).code).toBe(1009);
    await ws.ping();
    expect(await storeSnapshot(server)).toBe(before);
  });

  it('upgrade without a valid session -> 401; from another site -> 403; elsewhere than /ws -> 404', async () => {
    await expect(WsClient.connect(server.url)).rejects.toThrow(/401/);
    await expect(WsClient.connect(server.url, 'forged-token')).rejects.toThrow(/401/);
    await expect(WsClient.connect(server.url, member.token, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const expiring = await newUser(server.url, 'expiring');
    await server.query(
      `update sessions set expires_at = now() - interval '1 second' where user_id = '${expiring.user.id}'`,
    );
    await expect(WsClient.connect(server.url, expiring.token)).rejects.toThrow(/401/);
    const status = await new Promise<number>((resolve) => {
      const other = new WebSocket(`${server.url.replace('http', 'ws')}/elsewhere?token=${member.token}`);
      other.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      other.on('open', () => resolve(101));
      other.on('error', () => undefined);
    });
    expect(status).toBe(404);
    const me = await api(server.url, 'GET', '/api/me', { token: member.token });
    expect(me.status).toBe(200);
  });
});
