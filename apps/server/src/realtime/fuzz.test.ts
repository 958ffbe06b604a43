import { ERROR_STATUS, MAX_FRAME_BYTES } from '@salon/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Frame, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';

const CODES = new Set(Object.keys(ERROR_STATUS));
const STACK = /\n\s+at |node_modules|\.ts:\d+/;
const TYPES = ['subscribe', 'unsubscribe', 'send', 'typing', 'ping', 'pong', 'ack', '', 'SEND', '__proto__'];

/** Hostile frames by class: what each arbitrary produces is sent as one WebSocket message. */
function frameClasses(roomId: string) {
  const field = fc.oneof(
    fc.constant(roomId),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(1e308, -1, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, null, true, [], {}),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const nested = fc.integer({ min: 50, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
  return {
    'random JSON': fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
    'known type, random fields': fc
      .record(
        {
          type: fc.constantFrom(...TYPES),
          id: field,
          roomId: field,
          since: field,
          body: field,
          ttlSeconds: field,
          clientMsgId: field,
        },
        { requiredKeys: ['type'] },
      )
      .map((o) => JSON.stringify(o)),
    'deep nesting': nested,
    'not JSON': fc.string({ maxLength: 200 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
    binary: fc.uint8Array({ minLength: 1, maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  } as const;
}

describe('fuzzing the WebSocket and REST surfaces', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  beforeAll(async () => {
    server = await startTestServer();
    [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
    roomId = await newRoom(server.url, alice);
    await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
  });
  afterAll(() => server?.close());

  it('answers >= 1,000 hostile frames with contract errors while other clients chat undisturbed', async () => {
    const [speaker, listener] = await Promise.all([
      WsClient.connect(server.url, alice.token),
      WsClient.connect(server.url, bob.token),
    ]);
    await listener.request({ type: 'subscribe', id: 's', roomId, since: 0 });
    let target = await WsClient.connect(server.url, bob.token);
    const counts: Record<string, number> = {};
    const classes = frameClasses(roomId);
    const samples = Object.entries(classes).flatMap(([name, arb]) =>
      fc
        .sample(arb as fc.Arbitrary<string | Buffer>, { numRuns: name === 'deep nesting' ? 100 : 250 })
        .map((f) => [name, f] as const),
    );
    // Plus the edges that end a connection by design: oversize (1009) and invalid UTF-8 (1007).
    const closing: Array<[string, Buffer | string, number]> = [
      ['oversize', 'x'.repeat(MAX_FRAME_BYTES + 1), 1009],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 1007],
    ];
    let sent = 0;
    for (const [i, [name, frame]] of samples.entries()) {
      const before = target.inbox.length;
      if (typeof frame === 'string') target.ws.send(frame);
      else target.ws.send(frame, { binary: true });
      counts[name] = (counts[name] ?? 0) + 1;
      sent++;
      await target.ping();
      for (const reply of target.inbox.slice(before)) {
        expect(['error', 'ack', 'pong', 'message', 'event', 'typing'], JSON.stringify(reply)).toContain(reply.type);
        if (reply.type === 'error') {
          expect(CODES.has(reply.code), JSON.stringify(reply)).toBe(true);
          expect(reply.message).not.toMatch(STACK);
        }
      }
      if (i % 100 === 0) speaker.send({ type: 'send', id: `chat${i}`, roomId, body: `still chatting ${i}` });
    }
    for (const [name, frame, code] of closing) {
      if (typeof frame === 'string') target.ws.send(frame);
      else target.ws.send(frame, { binary: false });
      expect((await target.closeEvent).code).toBe(code);
      counts[name] = 1;
      sent++;
      target = await WsClient.connect(server.url, bob.token);
    }
    console.log(`fuzzed ${sent} frames: ${JSON.stringify(counts)}`);
    expect(sent).toBeGreaterThanOrEqual(1000);
    // The bystanders' conversation went through whole and in order.
    const chats = range(0, Math.floor((samples.length - 1) / 100)).map((k) => `still chatting ${k * 100}`);
    await listener.wait((f: Frame) => f.type === 'message' && f.body === chats.at(-1), 10_000);
    const heard = listener.inbox.filter((f) => f.type === 'message' && String(f.body).startsWith('still chatting'));
    expect(heard.map((f) => f.body)).toEqual(chats);
    await Promise.all([speaker.close(), listener.close(), target.close()]);
  });

  it('answers random bodies on every REST route with the contract error shape, never a stack', async () => {
    const routes = (ids: { room: string; user: string }): Array<[string, string]> => [
      ['POST', '/api/auth/register'],
      ['POST', '/api/auth/login'],
      ['POST', '/api/rooms'],
      ['POST', `/api/rooms/${ids.room}/join`],
      ['POST', `/api/rooms/${ids.room}/leave`],
      ['GET', `/api/rooms/${ids.room}/messages`],
      ['PATCH', `/api/rooms/${ids.room}`],
      ['POST', `/api/rooms/${ids.room}/invitations`],
      ['POST', `/api/rooms/${ids.room}/links`],
      ['POST', `/api/links/${ids.room}/redeem`],
      ['PATCH', `/api/rooms/${ids.room}/members/${ids.user}`],
      ['POST', `/api/rooms/${ids.room}/members/${ids.user}/kick`],
      ['POST', `/api/rooms/${ids.room}/bans`],
      ['POST', `/api/rooms/${ids.room}/members/${ids.user}/mute`],
      ['DELETE', `/api/rooms/${ids.room}/messages/${ids.user}`],
      ['POST', '/api/join-requests'],
      ['POST', `/api/invitations/${ids.user}/accept`],
    ];
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      fc.string({ maxLength: 300 }),
    );
    const id = fc.oneof(
      fc.constant(roomId),
      fc.constant(bob.user.id),
      fc.uuid(),
      fc.string({ minLength: 1, maxLength: 40 }),
    );
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), body, id, id, async (pick, raw, room, user) => {
        const list = routes({ room: encodeURIComponent(room), user: encodeURIComponent(user) });
        const [method, path] = list[pick % list.length]!;
        const res = await fetch(server.url + path, {
          method,
          headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : raw,
        });
        calls++;
        const text = await res.text();
        expect(text).not.toMatch(STACK);
        if (res.status >= 400) {
          const json = JSON.parse(text) as { error: { code: string; message: string } };
          expect(CODES.has(json.error.code), text).toBe(true);
          expect(ERROR_STATUS[json.error.code as keyof typeof ERROR_STATUS]).toBe(res.status);
        }
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    console.log(`fuzzed ${calls} REST calls`);
    expect((await api(server.url, 'GET', '/api/me', { token: alice.token })).status).toBe(200);
  });
});
