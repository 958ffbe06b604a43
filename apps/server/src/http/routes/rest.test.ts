import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, range, type TestUser, uniqueName, WsClient } from '../../test/client.js';
import { MODES, startTestServer, type TestServer } from '../../test/harness.js';

describe.each(MODES)('REST contract (%s)', (mode) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ mode });
    [alice, bob] = await Promise.all([newUser(server.url, 'alice'), newUser(server.url, 'bob')]);
  });
  afterAll(() => server?.close());

  it('registers, logs in with a cookie session and a bearer token, and logs out', async () => {
    const username = uniqueName('Dana').toUpperCase();
    const reg = await api(server.url, 'POST', '/api/auth/register', {
      body: { username, password: 'a long passphrase', displayName: '  Dana Scully ' },
    });
    expect(reg.status).toBe(201);
    expect(reg.json.user).toMatchObject({ username: username.toLowerCase(), displayName: 'Dana Scully' });
    expect(JSON.stringify(reg.json)).not.toMatch(/password|hash/i);
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'a long passphrase' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^salon_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const { token } = (await res.json()) as { token: string };
    const byCookie = await api(server.url, 'GET', '/api/me', { headers: { cookie: cookie.split(';')[0]! } });
    expect(byCookie.json.user).toMatchObject({ username: username.toLowerCase() });
    expect((await api(server.url, 'GET', '/api/me', { token })).status).toBe(200);
    // The database keeps only a hash of the token.
    const stored = await server.query<{ token_hash: string }>('select token_hash from sessions');
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
    expect((await api(server.url, 'POST', '/api/auth/logout', { token })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/me', { token })).status).toBe(401);
    const hash = await server.query<{ password_hash: string }>(
      `select password_hash from users where username = '${username.toLowerCase()}'`,
    );
    expect(hash[0]?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('creates public and private rooms; lists mine and the public ones with the joined flag', async () => {
    const pub = await api<{ room: Record<string, unknown> }>(server.url, 'POST', '/api/rooms', {
      token: alice.token,
      body: { name: uniqueName('Optics Lab'), visibility: 'public', topic: 'lasers' },
    });
    expect(pub.status).toBe(201);
    expect(pub.json.room).toMatchObject({
      visibility: 'public',
      topic: 'lasers',
      role: 'owner',
      joined: true,
      lastSeq: 0,
      encrypted: false,
    });
    const priv = await newRoom(server.url, alice, 'private');
    const bobsView = await api<{ rooms: Array<{ id: string; joined: boolean }> }>(server.url, 'GET', '/api/rooms', {
      token: bob.token,
    });
    const ids = bobsView.json.rooms.map((r) => r.id);
    expect(ids).toContain(pub.json.room.id);
    expect(ids).not.toContain(priv);
    expect(bobsView.json.rooms.find((r) => r.id === pub.json.room.id)?.joined).toBe(false);
    const alicesView = await api<{ rooms: Array<{ id: string }> }>(server.url, 'GET', '/api/rooms', {
      token: alice.token,
    });
    expect(alicesView.json.rooms.map((r) => r.id)).toEqual(expect.arrayContaining([pub.json.room.id, priv]));
  });

  it('joins a public room once, lists members with roles, and leaves', async () => {
    const roomId = await newRoom(server.url, alice);
    const join = await api<{ room: { joined: boolean; role: string } }>(
      server.url,
      'POST',
      `/api/rooms/${roomId}/join`,
      { token: bob.token },
    );
    expect(join.json.room).toMatchObject({ joined: true, role: 'member' });
    await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token });
    const members = await api<{ members: Array<{ user: { id: string }; role: string; joinedAt: string }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/members`,
      { token: bob.token },
    );
    expect(members.json.members.map((m) => [m.user.id, m.role])).toEqual([
      [alice.user.id, 'owner'],
      [bob.user.id, 'member'],
    ]);
    expect((await api(server.url, 'POST', `/api/rooms/${roomId}/leave`, { token: bob.token })).status).toBe(204);
    const after = await api<{ members: unknown[] }>(server.url, 'GET', `/api/rooms/${roomId}/members`, {
      token: alice.token,
    });
    expect(after.json.members).toHaveLength(1);
    // The owner cannot leave a room without an owner.
    const ownerLeaves = await api(server.url, 'POST', `/api/rooms/${roomId}/leave`, { token: alice.token });
    expect(ownerLeaves.json.error?.code).toBe('forbidden');
  });

  it('pages history with before, after and limit, in seq order', async () => {
    const roomId = await newRoom(server.url, alice);
    const ws = await WsClient.connect(server.url, alice.token);
    for (const i of range(1, 30)) await ws.request({ type: 'send', id: i, roomId, body: `m${i}` });
    await ws.close();
    const page = async (q: string) =>
      (
        await api<{ messages: Array<{ seq: number }> }>(server.url, 'GET', `/api/rooms/${roomId}/messages?${q}`, {
          token: alice.token,
        })
      ).json.messages.map((m) => m.seq);
    expect(await page('limit=5')).toEqual(range(26, 30));
    expect(await page('before=10&limit=3')).toEqual([7, 8, 9]);
    expect(await page('after=27')).toEqual([28, 29, 30]);
    expect(await page('after=5&limit=2')).toEqual([6, 7]);
    expect(await page('after=5&before=9')).toEqual([6, 7, 8]);
    expect(await page('')).toEqual(range(1, 30));
    const room = await api<{ room: { lastSeq: number } }>(server.url, 'GET', `/api/rooms/${roomId}`, {
      token: alice.token,
    });
    expect(room.json.room.lastSeq).toBe(30);
  });

  it('answers liveness and readiness', async () => {
    expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
    const ready = await api(server.url, 'GET', '/readyz');
    expect(ready).toMatchObject({ status: 200, json: { status: 'ready', database: true, broker: true } });
  });
});
