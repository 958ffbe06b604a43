import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, range, uniqueName, WsClient } from '../test/client.js';
import { type ServerProcess, spawnServer, startTestServer, type TestServer } from '../test/harness.js';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../test/postgres.js';
import { storedMessages } from '../test/stored.js';
import { DEFAULT_LIMITS } from './limits.js';

const PASSWORD = 'correct horse battery staple';

describe('rate limits and brute-force lockout (shipped defaults)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { limits: { ...DEFAULT_LIMITS } } });
  });
  afterAll(() => server?.close());
  const login = (username: string, password: string) =>
    api(server.url, 'POST', '/api/auth/login', { body: { username, password } });

  it('locks a username after 5 failed logins, unknown or not, while its open sessions keep working', async () => {
    const victim = await newUser(server.url, 'victim');
    for (const i of range(1, 5)) expect((await login(victim.user.username, `wrong ${i}`)).status).toBe(401);
    const locked = await login(victim.user.username, PASSWORD);
    expect([locked.status, locked.json.error?.code]).toEqual([429, 'rate_limited']);
    expect(locked.json.error).toMatchObject({ retryAfterMs: expect.any(Number) });
    // The owner's existing session is untouched.
    expect((await api(server.url, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
    // An unknown username behaves exactly the same, so a lock reveals nothing.
    const ghost = uniqueName('ghost');
    for (const i of range(1, 5)) expect((await login(ghost, `wrong ${i}`)).status).toBe(401);
    expect((await login(ghost, PASSWORD)).status).toBe(429);
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ghost, password: 'again' }),
    });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers an unknown user and a wrong password with byte-identical bodies', async () => {
    const someone = await newUser(server.url, 'someone');
    const a = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: someone.user.username, password: 'not it at all' }),
    });
    const b = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: uniqueName('nobody'), password: 'not it at all' }),
    });
    expect([a.status, await a.text()]).toEqual([b.status, await b.text()]);
  });

  it('limits one flooding sender per room with rate_limited + retryAfterMs, never the others', async () => {
    const [flooder, bystander] = await Promise.all([newUser(server.url, 'flooder'), newUser(server.url, 'bystander')]);
    const roomId = await newRoom(server.url, flooder);
    await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: bystander.token });
    const [wf, wb] = await Promise.all([
      WsClient.connect(server.url, flooder.token),
      WsClient.connect(server.url, bystander.token),
    ]);
    for (const i of range(1, 100)) wf.send({ type: 'send', id: i, roomId, body: `flood ${i}` });
    const answers = await Promise.all(
      range(1, 100).map((i) => wf.wait((f) => (f.type === 'ack' || f.type === 'error') && f.id === i)),
    );
    const limited = answers.filter((f) => f.type === 'error');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((f) => f.code === 'rate_limited' && f.retryAfterMs > 0)).toBe(true);
    expect(answers.filter((f) => f.type === 'ack').length).toBeLessThanOrEqual(DEFAULT_LIMITS.sendUserRoom.points + 5);
    await wf.ping();
    for (const i of range(1, 5))
      expect((await wb.request({ type: 'send', id: `ok${i}`, roomId, body: 'hello' })).type).toBe('ack');
    await Promise.all([wf.close(), wb.close()]);
  });

  it('limits registrations from one address with 429 and Retry-After', async () => {
    let status = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < DEFAULT_LIMITS.registerIp.points + 5 && status !== 429; i++) {
      const res = await fetch(`${server.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: uniqueName('reg'), password: PASSWORD }),
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
    }
    expect(status).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('limits shared by two processes through Redis', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    // 30 points: each process reserves them three at a time (limits.ts).
    const limits = JSON.stringify({ sendUserRoom: { points: 30, duration: 600 }, registerIp: { points: 1000 } });
    [a, b] = await Promise.all(
      [0, 1].map(() => spawnServer({ DATABASE_URL: db.url, REDIS_URL, SALON_LIMITS: limits })),
    );
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('spends one budget: half on A and half on B exhausts it on both', async () => {
    const alice = await newUser(a.url, 'alice');
    const roomId = await newRoom(a.url, alice);
    const [onA, onB] = await Promise.all([WsClient.connect(a.url, alice.token), WsClient.connect(b.url, alice.token)]);
    for (const i of range(1, 15))
      expect((await onA.request({ type: 'send', id: `a${i}`, roomId, body: 'x' })).type).toBe('ack');
    for (const i of range(1, 15))
      expect((await onB.request({ type: 'send', id: `b${i}`, roomId, body: 'x' })).type).toBe('ack');
    expect((await onA.request({ type: 'send', id: 'a16', roomId, body: 'x' })).code).toBe('rate_limited');
    expect((await onB.request({ type: 'send', id: 'b16', roomId, body: 'x' })).code).toBe('rate_limited');
    await Promise.all([onA.close(), onB.close()]);
  });

  it('never lets more than the budget through, whatever each process reserved and left unused', async () => {
    const bob = await newUser(a.url, 'bob');
    const roomId = await newRoom(a.url, bob);
    const [onA, onB] = await Promise.all([WsClient.connect(a.url, bob.token), WsClient.connect(b.url, bob.token)]);
    let acked = 0;
    // A spends 4 points of the 6 it reserved; B then sends until refused, and A after it.
    for (const i of range(1, 4)) {
      if ((await onA.request({ type: 'send', id: `a${i}`, roomId, body: 'x' })).type === 'ack') acked++;
    }
    let refused = false;
    for (let i = 1; i <= 40 && !refused; i++) {
      const answer = await onB.request({ type: 'send', id: `b${i}`, roomId, body: 'x' });
      if (answer.type === 'ack') acked++;
      else refused = answer.code === 'rate_limited';
    }
    expect(refused).toBe(true);
    for (const i of range(5, 10)) {
      if ((await onA.request({ type: 'send', id: `a${i}`, roomId, body: 'x' })).type === 'ack') acked++;
    }
    // A's two unused points stayed its own: at most 30 in all, at least 30 less what a reservation can strand.
    expect(acked).toBeLessThanOrEqual(30);
    expect(acked).toBeGreaterThanOrEqual(28);
    expect(await storedMessages(db.url, roomId)).toHaveLength(acked);
    await Promise.all([onA.close(), onB.close()]);
  });
});
