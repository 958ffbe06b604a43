import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS, MAX_BODY_BYTES, MAX_FRAME_BYTES } from '@salon/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { api, type Frame, newRoom, newUser, range, type TestUser, uniqueName, WsClient } from '../test/client.js';
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

/** The REST fuzz's budget: this many calls spread over the route table, and at least so many per route. */
const REST_CALLS = 2000;
const MIN_RUNS_PER_ROUTE = 25;

/** What may never appear in an answer: stack frames, source paths, SQL or driver internals. */
const LEAKS = [
  /\n\s+at /,
  /node_modules|file:\/\/|\/(?:work|home|usr|src|app)\/|\.(?:[cm]?js|ts):\d+/,
  /failed query|\bselect\b[\s\S]{0,200}?\bfrom\s+\\?"|\binsert into\b|\bdelete from\b|\bupdate\s+\\?"?\w+\\?"?\s+set\b|\bon conflict\b/i,
  /violates|syntax error at|\brelation "|\bcolumn "|duplicate key|Key \(|SQLSTATE|\bpg_\w|drizzle|pglite/i,
];

/**
 * The leaks found in an answer. A match that is only an echo of what the client itself sent is not a leak:
 * validation messages name the unknown keys of a body, and a random key may look like `pg_x` or `select`.
 */
function leaksIn(seen: string, sent: string): string[] {
  const lowerSent = sent.toLowerCase();
  return LEAKS.flatMap((leak) =>
    [...seen.matchAll(new RegExp(leak.source, `${leak.flags.replace('g', '')}g`))]
      .map((m) => m[0])
      .filter((hit) => !lowerSent.includes(hit.toLowerCase())),
  );
}

/** Every string inside a JSON answer, unescaped, so that a newline or a path in a string is seen as such. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** A path parameter: an id of the current fixture (resolved at call time, as the fixture is rebuilt) or raw text. */
type Ref = 'room' | 'privateRoom' | 'owner' | 'member' | 'outsider' | 'invitation' | 'link' | 'request';
type Segment = { ref: Ref } | { raw: string };
const REFS: readonly Ref[] = ['room', 'privateRoom', 'owner', 'member', 'outsider', 'invitation', 'link', 'request'];
/** The ids that fit a parameter, by its name in the route table; any other name gets any id. */
const REFS_BY_PARAM: Record<string, Ref[]> = {
  roomId: ['room', 'privateRoom'],
  userId: ['owner', 'member', 'outsider'],
  invitationId: ['invitation'],
  token: ['link'],
  requestId: ['request'],
};

type Caller = 'owner' | 'member' | 'admin' | 'anonymous' | 'bad token' | 'bad cookie';
const CALLERS: readonly Caller[] = ['owner', 'member', 'admin', 'anonymous', 'bad token', 'bad cookie'];

interface Call {
  caller: Caller;
  params: Segment[];
  query: string;
  body: { text?: string; contentType?: string };
  origin?: string;
  forwardedFor?: string;
}

const garbage = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.integer().map(String),
  fc.integer({ min: 101, max: 400 }).map((n) => 'a'.repeat(n)),
  // Not valid percent-encoding, traversal, encoded slashes, prototype names, injection attempts, empty.
  fc.constantFrom(
    '',
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    '%C0%AF',
    '..',
    '%2e%2e',
    '%2F',
    '%252F',
    '__proto__',
    'constructor',
    'null',
    '-1',
    '0',
    '1e999',
    "1'%20or%20'1'%3D'1",
    '*',
  ),
);

function paramArb(name: string): fc.Arbitrary<Segment> {
  const own = REFS_BY_PARAM[name];
  const options: Array<fc.WeightedArbitrary<Segment>> = [
    { weight: 3, arbitrary: fc.constantFrom(...(own ?? REFS)).map((ref) => ({ ref })) },
    { weight: 1, arbitrary: fc.constantFrom(...REFS).map((ref) => ({ ref })) },
    { weight: 1, arbitrary: fc.uuid().map((raw) => ({ raw })) },
    { weight: 2, arbitrary: garbage.map((raw) => ({ raw })) },
  ];
  if (name === 'seq') {
    const seq = fc.oneof(
      fc.integer({ min: 1, max: 4 }).map(String),
      fc.integer().map(String),
      fc.constantFrom('0', '1.5', '1e3', '9007199254740993', '0x10', ' 1'),
    );
    options.push({ weight: 4, arbitrary: seq.map((raw) => ({ raw })) });
  }
  return fc.oneof(...options);
}

const queryValue = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom('0', '1', '3', '200', '201', '-1', '1e3', '1.5', 'NaN', 'Infinity', '9007199254740993', ''),
  fc.string({ maxLength: 20 }),
);
const queryArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom('limit', 'before', 'after', 'since', 'x', '__proto__', 'constructor', 'limit[]', 'a[b]'),
          queryValue,
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?%zz', '?limit', '?=1', '?limit=1&limit=2', '?a=%', '?%E0') },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `?${s}`) },
);

/** Bodies: none, random JSON, near-valid shapes of the contract's bodies, not JSON, wrong media types, oversize. */
function bodyArb(users: { usernames: string[]; ids: string[]; password: string }) {
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ minLength: 490, maxLength: 520 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const int = fc.oneof(
    fc.integer({ min: 1, max: 100_000 }),
    fc.integer(),
    fc.constantFrom(0, -1, 29, 30, 59, 60, 3600, 2_592_000, 2_592_001, 10_000, 10_001, 1.5, 1e308, null, '60'),
  );
  const username = fc.oneof(
    fc.constantFrom(...users.usernames),
    fc.stringMatching(/^[a-z0-9_.-]{3,32}$/),
    fc.string({ maxLength: 40 }),
  );
  const password = fc.oneof(fc.constant(users.password), fc.string({ minLength: 10, maxLength: 40 }), fc.string());
  const roomName = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{1,63}$/), fc.string({ maxLength: 70 }));
  const visibility = fc.oneof(fc.constantFrom('public', 'private'), text);
  const userId = fc.oneof(fc.constantFrom(...users.ids), fc.uuid(), text);
  const shape = fc.oneof(
    fc.record({ username, password }, { requiredKeys: [] }),
    fc.record({ username, password, displayName: text }, { requiredKeys: ['username', 'password'] }),
    fc.record({ name: roomName, visibility, topic: text }, { requiredKeys: ['name', 'visibility'] }),
    fc.record({ username }),
    fc.record({ expiresInSeconds: int, maxUses: int }),
    fc.record({ name: roomName, topic: text, visibility, retentionSeconds: int }, { requiredKeys: [] }),
    fc.record({ role: fc.oneof(fc.constantFrom('owner', 'admin', 'moderator', 'member', 'root', ''), text) }),
    fc.record({ reason: text }, { requiredKeys: [] }),
    fc.record({ userId, reason: text }, { requiredKeys: ['userId'] }),
    fc.record({ seconds: int }),
    fc.record({ roomName }),
  );
  const json = 'application/json';
  const notJson = fc.string({ maxLength: 200 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    { weight: 4, arbitrary: shape.map((v) => ({ text: JSON.stringify(v), contentType: json })) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => ({ text: JSON.stringify(v) ?? 'null', contentType: json })) },
    { weight: 1, arbitrary: notJson.map((t) => ({ text: t, contentType: json })) },
    {
      weight: 1,
      arbitrary: fc.record({
        text: fc.string({ maxLength: 100 }),
        contentType: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/json; charset=latin1',
          'application/jsonx',
          'application/json; charset=utf-8',
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { text: '', contentType: json },
        { text: '{"__proto__":{"admin":true}}', contentType: json },
        { text: '{"constructor":{"prototype":{"admin":true}}}', contentType: json },
        { text: `{"x":"${'a'.repeat(MAX_BODY_BYTES)}"}`, contentType: json },
        { text: '\u0000', contentType: json },
      ),
    },
  );
}

describe('fuzzing the WebSocket surface', () => {
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
});

describe('fuzzing every REST route', () => {
  let server: TestServer;
  beforeAll(async () => {
    // On PostgreSQL, behind a proxy as deployed (the fuzz sends X-Forwarded-For too).
    server = await startTestServer({ mode: 'postgres', config: { trustProxy: true } });
  });
  afterAll(() => server?.close());

  it('answers random requests on every route of the route table with contract errors, never a 5xx or a leak', async () => {
    // The real route table, minus the web client's files (GET/HEAD of a file in the built client).
    const webDir = loadConfig({}).webDir;
    const isStaticFile = (method: string, url: string) =>
      (method === 'GET' || method === 'HEAD') && !url.includes(':') && existsSync(join(webDir, url));
    const routes = server.salon.routes
      .flatMap((r) => [r.method].flat().map((method) => ({ method, url: r.url })))
      .filter((r) => !isStaticFile(r.method, r.url));
    // A collector that missed the plugins would make this test pass on nothing.
    expect(routes.length).toBeGreaterThanOrEqual(45);
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'GET /api/rooms/:roomId/messages', 'GET /api/admin/audit']),
    );
    const runs = Math.max(MIN_RUNS_PER_ROUTE, Math.ceil(REST_CALLS / routes.length));

    const [owner, member, admin, outsider] = await Promise.all(
      ['owner', 'member', 'admin', 'outsider'].map((p) => newUser(server.url, p)),
    );
    await server.query(`update users set is_platform_admin = true where id = '${admin!.user.id}'`);
    const accounts: Partial<Record<Caller, TestUser>> = { owner, member, admin };
    const everyone = [owner!, member!, admin!, outsider!];
    const bodies = bodyArb({
      usernames: everyone.map((u) => u.user.username),
      ids: everyone.map((u) => u.user.id),
      password: owner!.password,
    });

    // The server's own defenses may end a fuzzing account's sessions (probing room ids) or block logins from an
    // address (spraying usernames): both are answers to what the fuzzer does. Such an account logs in again, each
    // time from an address of its own (the server trusts X-Forwarded-For here).
    let renewals = 0;
    const renew = async (account: TestUser) => {
      renewals++;
      const login = await api<{ token: string }>(server.url, 'POST', '/api/auth/login', {
        body: { username: account.user.username, password: account.password },
        headers: { 'x-forwarded-for': `10.99.${renewals >> 8}.${renewals & 255}` },
      });
      expect(login.status, JSON.stringify(login.json)).toBe(200);
      account.token = login.json.token;
    };
    const renewIfRevoked = async (account: TestUser) => {
      if ((await api(server.url, 'GET', '/api/me', { token: account.token })).status === 401) await renew(account);
    };

    /** Real ids to aim at: two rooms, a pending invitation, a link, a join request, three messages. */
    const buildFixture = async (): Promise<Record<Ref, string>> => {
      for (const account of [owner!, member!, outsider!]) await renewIfRevoked(account);
      const room = await newRoom(server.url, owner!);
      const privateName = uniqueName('private');
      const created = await api<{ room: { id: string } }>(server.url, 'POST', '/api/rooms', {
        token: owner!.token,
        body: { name: privateName, visibility: 'private' },
      });
      const privateRoom = created.json.room.id;
      await api(server.url, 'POST', `/api/rooms/${room}/join`, { token: member!.token });
      const invitation = await api<{ invitation: { id: string } }>(
        server.url,
        'POST',
        `/api/rooms/${privateRoom}/invitations`,
        { token: owner!.token, body: { username: member!.user.username } },
      );
      const link = await api<{ link: { token: string } }>(server.url, 'POST', `/api/rooms/${room}/links`, {
        token: owner!.token,
        body: { expiresInSeconds: 3600, maxUses: 10_000 },
      });
      await api(server.url, 'POST', '/api/join-requests', { token: outsider!.token, body: { roomName: privateName } });
      const requests = await api<{ requests: Array<{ id: string }> }>(
        server.url,
        'GET',
        `/api/rooms/${privateRoom}/join-requests`,
        { token: owner!.token },
      );
      const ws = await WsClient.connect(server.url, owner!.token);
      for (const i of range(1, 3)) await ws.request({ type: 'send', id: i, roomId: room, body: `fixture ${i}` });
      await ws.close();
      const ids = {
        room,
        privateRoom,
        owner: owner!.user.id,
        member: member!.user.id,
        outsider: outsider!.user.id,
        invitation: invitation.json.invitation?.id,
        link: link.json.link?.token,
        request: requests.json.requests?.[0]?.id,
      };
      const missing = Object.entries(ids).filter(([, id]) => typeof id !== 'string');
      if (missing.length) throw new Error(`fixture incomplete: ${missing.map(([name]) => name).join(', ')}`);
      return ids as Record<Ref, string>;
    };
    /** A defense may strike in the middle of a build (its rules run after the request that fed them). */
    const freshFixture = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await buildFixture();
        } catch (err) {
          if (attempt === 3) throw err;
        }
      }
    };
    let fixture = await freshFixture();
    let stale = false;
    let rebuilds = 0;
    // Successes that may spend the fixture (the room deleted, the member kicked, the invitation used...).
    const SPENDS = /^(PATCH|DELETE) |\/(leave|kick|bans|accept|decline|approve|reject)$/;

    const perRoute: Record<string, { calls: number; anonymous: number; statuses: Record<number, number> }> = {};
    const byCaller: Record<string, number> = {};
    const started = Date.now();
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const stats = { calls: 0, anonymous: 0, statuses: {} as Record<number, number> };
      perRoute[key] = stats;
      const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const call: fc.Arbitrary<Call> = fc.record({
        caller: fc.constantFrom(...CALLERS),
        params: fc.tuple(...names.map(paramArb)),
        query: queryArb,
        body: bodies,
        origin: fc.oneof(
          { weight: 10, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom(server.url, 'http://evil.example', 'null') },
        ),
        forwardedFor: fc.oneof(
          { weight: 10, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.ipV4() },
          { weight: 1, arbitrary: fc.ipV6() },
          { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
        ),
      });
      await fc.assert(
        fc.asyncProperty(call, async ({ caller, params, query, body, origin, forwardedFor }) => {
          if (stale) {
            fixture = await freshFixture();
            stale = false;
            rebuilds++;
          }
          let i = 0;
          const path = route.url.replace(/:\w+/g, () => {
            const segment = params[i++]!;
            return 'ref' in segment ? encodeURIComponent(fixture[segment.ref]) : segment.raw;
          });
          const headers: Record<string, string> = {};
          const account = accounts[caller];
          if (account) headers.authorization = `Bearer ${account.token}`;
          else if (caller === 'bad token') headers.authorization = 'Bearer not-a-session-token';
          else if (caller === 'bad cookie') headers.cookie = 'salon_session=AAAA; salon_session=%zz';
          if (body.contentType) headers['content-type'] = body.contentType;
          if (origin) headers.origin = origin;
          if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
          const withBody = route.method !== 'GET' && route.method !== 'HEAD' && body.text !== undefined;
          const res = await fetch(server.url + path + query, {
            method: route.method,
            headers,
            body: withBody ? body.text : undefined,
          });
          const text = await res.text();
          const desc = `${caller} ${route.method} ${path}${query} [${body.contentType ?? '-'}] ${String(body.text ?? '').slice(0, 120)} -> ${res.status} ${text.slice(0, 300)}`;
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const seen = [text, ...strings(json)].join('\n');
          let sent = `${path}${query}\n${body.text ?? ''}`;
          try {
            sent += `\n${decodeURIComponent(path + query)}`;
          } catch {
            // not decodable: the raw form above is what the server could echo
          }
          expect(leaksIn(seen, sent), desc).toEqual([]);
          expect(res.status, desc).toBeLessThan(500);
          if (route.method === 'HEAD') expect(text, desc).toBe('');
          else if (res.status >= 400) {
            expect(json, desc).toEqual({
              error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
            });
            const { code } = (json as { error: { code: string } }).error;
            expect(CODES.has(code), desc).toBe(true);
            expect(res.status, desc).toBe(ERROR_STATUS[code as keyof typeof ERROR_STATUS]);
          } else if (text) expect(json, `${desc}: a success answers JSON`).toBeDefined();

          stats.calls++;
          if (!account) stats.anonymous++;
          stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
          byCaller[caller] = (byCaller[caller] ?? 0) + 1;
          // Logged out by the fuzzer itself, or by a defense: log in again.
          if (account && ((res.ok && route.url === '/api/auth/logout') || res.status === 401)) await renew(account);
          if (res.ok && SPENDS.test(key)) stale = true;
        }),
        { numRuns: runs, endOnFailure: true },
      );
    }
    const calls = Object.values(perRoute).reduce((n, s) => n + s.calls, 0);
    console.log(
      `fuzzed ${calls} REST calls over ${routes.length} routes in ${Date.now() - started} ms ` +
        `(${rebuilds} fixture rebuilds, ${renewals} sessions renewed); by caller ${JSON.stringify(byCaller)}\n` +
        Object.entries(perRoute)
          .map(([k, s]) => `  ${k}: ${s.calls} calls (${s.anonymous} anonymous) ${JSON.stringify(s.statuses)}`)
          .join('\n'),
    );
    // Every route was reached both with and without a session.
    for (const [k, s] of Object.entries(perRoute)) {
      expect(s.calls, k).toBe(runs);
      expect(s.anonymous, k).toBeGreaterThan(0);
      expect(s.anonymous, k).toBeLessThan(s.calls);
    }
    await renewIfRevoked(owner!);
    expect((await api(server.url, 'GET', '/api/me', { token: owner!.token })).status).toBe(200);
    expect((await api(server.url, 'GET', '/readyz')).status).toBe(200);
  });
});
