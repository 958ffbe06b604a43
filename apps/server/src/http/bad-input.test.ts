import { MAX_BODY_BYTES } from '@salon/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, type TestUser, uniqueName } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { storeSnapshot } from '../test/snapshot.js';

describe.each(['embedded', 'postgres'] as const)('REST refuses bad input with the contract error (%s)', (mode) => {
  let server: TestServer;
  let owner: TestUser;
  let outsider: TestUser;
  let publicRoom: string;
  let privateRoom: string;
  let before: string;

  beforeAll(async () => {
    server = await startTestServer({ mode });
    [owner, outsider] = await Promise.all([newUser(server.url, 'owner'), newUser(server.url, 'outsider')]);
    publicRoom = await newRoom(server.url, owner, 'public');
    privateRoom = await newRoom(server.url, owner, 'private');
  });
  afterAll(() => server?.close());
  beforeEach(async () => {
    before = await storeSnapshot(server);
  });

  async function expectRefused(
    res: { status: number; json: { error?: { code: string } } },
    status: number,
    code: string,
  ) {
    expect(res.status).toBe(status);
    expect(res.json.error?.code).toBe(code);
    expect(typeof (res.json.error as { message?: unknown })?.message).toBe('string');
    expect(await storeSnapshot(server)).toBe(before);
  }

  it('malformed JSON -> 400 invalid_request', async () => {
    const res = await api(server.url, 'POST', '/api/rooms', { token: owner.token, body: '{"name": "x",' });
    await expectRefused(res, 400, 'invalid_request');
  });

  it('wrong types, unknown fields and invalid values -> 400 invalid_request', async () => {
    const t = owner.token;
    await expectRefused(
      await api(server.url, 'POST', '/api/rooms', { token: t, body: { name: 42, visibility: 'x' } }),
      400,
      'invalid_request',
    );
    await expectRefused(
      await api(server.url, 'POST', '/api/rooms', {
        token: t,
        body: { name: 'ok-name', visibility: 'public', admin: true },
      }),
      400,
      'invalid_request',
    );
    await expectRefused(await api(server.url, 'POST', '/api/rooms', { token: t, body: [] }), 400, 'invalid_request');
    await expectRefused(
      await api(server.url, 'POST', '/api/rooms', { token: t, body: { name: '  ', visibility: 'public' } }),
      400,
      'invalid_request',
    );
    await expectRefused(
      await api(server.url, 'POST', '/api/auth/register', {
        body: { username: 'No Spaces!', password: 'long enough pw' },
      }),
      400,
      'invalid_request',
    );
    await expectRefused(
      await api(server.url, 'POST', '/api/auth/register', { body: { username: uniqueName('u'), password: 'short' } }),
      400,
      'invalid_request',
    );
    await expectRefused(
      await api(server.url, 'POST', '/api/auth/register', { body: { username: 'ab', password: 'long enough pw' } }),
      400,
      'invalid_request',
    );
  });

  it('history with a bad query -> 400 invalid_request', async () => {
    for (const q of ['limit=500', 'limit=0', 'limit=abc', 'before=-1', 'after=1.5', 'sort=desc']) {
      const res = await api(server.url, 'GET', `/api/rooms/${publicRoom}/messages?${q}`, { token: owner.token });
      await expectRefused(res, 400, 'invalid_request');
    }
  });

  it('oversize body -> 413 payload_too_large', async () => {
    const body = { name: 'big', visibility: 'public', topic: 'x'.repeat(MAX_BODY_BYTES + 10) };
    await expectRefused(
      await api(server.url, 'POST', '/api/rooms', { token: owner.token, body }),
      413,
      'payload_too_large',
    );
  });

  it('a body that is not JSON -> 415 unsupported_media_type', async () => {
    const res = await api(server.url, 'POST', '/api/rooms', {
      token: owner.token,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectRefused(res, 415, 'unsupported_media_type');
  });

  it('unknown room -> 404 not_found, for well-formed and garbage ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', "1'; drop table rooms;--"]) {
      const path = `/api/rooms/${encodeURIComponent(id)}`;
      await expectRefused(await api(server.url, 'GET', path, { token: owner.token }), 404, 'not_found');
      await expectRefused(await api(server.url, 'POST', `${path}/join`, { token: owner.token }), 404, 'not_found');
      await expectRefused(await api(server.url, 'GET', `${path}/messages`, { token: owner.token }), 404, 'not_found');
    }
  });

  it('not a member: public history -> 403 forbidden; private room -> 404 not_found on every route', async () => {
    const t = outsider.token;
    await expectRefused(
      await api(server.url, 'GET', `/api/rooms/${publicRoom}/messages`, { token: t }),
      403,
      'forbidden',
    );
    await expectRefused(
      await api(server.url, 'POST', `/api/rooms/${publicRoom}/leave`, { token: t }),
      403,
      'forbidden',
    );
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/members'],
      ['GET', '/messages'],
      ['POST', '/join'],
      ['POST', '/leave'],
    ]) {
      const res = await api(server.url, method!, `/api/rooms/${privateRoom}${suffix}`, { token: t });
      await expectRefused(res, 404, 'not_found');
    }
    const list = await api<{ rooms: Array<{ id: string }> }>(server.url, 'GET', '/api/rooms', { token: t });
    expect(list.json.rooms.map((r) => r.id)).not.toContain(privateRoom);
  });

  it('no session, a forged token and an expired session -> 401 unauthenticated', async () => {
    await expectRefused(await api(server.url, 'GET', '/api/rooms'), 401, 'unauthenticated');
    await expectRefused(await api(server.url, 'GET', '/api/me', { token: 'forged' }), 401, 'unauthenticated');
    await expectRefused(
      await api(server.url, 'POST', '/api/rooms', { body: { name: 'x1', visibility: 'public' } }),
      401,
      'unauthenticated',
    );
    const victim = await newUser(server.url, 'expiring');
    await server.query(
      `update sessions set expires_at = now() - interval '1 second' where user_id = '${victim.user.id}'`,
    );
    before = await storeSnapshot(server);
    await expectRefused(await api(server.url, 'GET', '/api/me', { token: victim.token }), 401, 'unauthenticated');
  });

  it('wrong password and unknown user -> the same 401', async () => {
    const wrong = await api(server.url, 'POST', '/api/auth/login', {
      body: { username: owner.user.username, password: 'not the password' },
    });
    const unknown = await api(server.url, 'POST', '/api/auth/login', {
      body: { username: 'nobody_here', password: 'not the password' },
    });
    await expectRefused(wrong, 401, 'unauthenticated');
    await expectRefused(unknown, 401, 'unauthenticated');
    expect(unknown.json).toEqual(wrong.json);
  });

  it('taken names -> 409 (usernames exactly, room names regardless of case)', async () => {
    const res = await api(server.url, 'POST', '/api/auth/register', {
      body: { username: owner.user.username.toUpperCase(), password: 'long enough pw' },
    });
    await expectRefused(res, 409, 'username_taken');
    const room = await api<{ room: { name: string } }>(server.url, 'GET', `/api/rooms/${publicRoom}`, {
      token: owner.token,
    });
    const dup = await api(server.url, 'POST', '/api/rooms', {
      token: outsider.token,
      body: { name: room.json.room.name.toUpperCase(), visibility: 'private' },
    });
    await expectRefused(dup, 409, 'room_name_taken');
  });

  it('a cross-site origin on a state-changing request -> 403 forbidden', async () => {
    const res = await api(server.url, 'POST', '/api/rooms', {
      token: owner.token,
      body: { name: uniqueName('csrf'), visibility: 'public' },
      headers: { origin: 'https://evil.example' },
    });
    await expectRefused(res, 403, 'forbidden');
  });

  it('text the database cannot store (a NUL character) -> 400 invalid_request, never a 500', async () => {
    await server.query(`update users set is_platform_admin = true where id = '${owner.user.id}'`);
    const audit = await api(server.url, 'GET', '/api/rooms/%00/audit', { token: owner.token });
    expect([400, 404]).toContain(audit.status);
    const topic = await api(server.url, 'PATCH', `/api/rooms/${publicRoom}`, {
      token: owner.token,
      body: { topic: 'a\u0000b' },
    });
    await expectRefused(topic, 400, 'invalid_request');
    const join = await api(server.url, 'POST', '/api/join-requests', {
      token: outsider.token,
      body: { roomName: 'x\u0000' },
    });
    expect(join.status).toBeLessThan(500);
    await server.query(`update users set is_platform_admin = false where id = '${owner.user.id}'`);
  });

  it('unknown endpoint -> 404 not_found', async () => {
    await expectRefused(await api(server.url, 'GET', '/api/nothing-here', { token: owner.token }), 404, 'not_found');
    await expectRefused(await api(server.url, 'DELETE', '/api/rooms', { token: owner.token }), 404, 'not_found');
  });
});
