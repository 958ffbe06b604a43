import { createHash } from 'node:crypto';
import { RECOVERY_CODE_COUNT } from '@salon/protocol';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { DEFAULT_LIMITS } from './limits.js';

/**
 * The clock is mocked (Date only; it still advances with real time from where a test puts it), so each code
 * is made for a known 30-second step and a test never straddles a step boundary by accident.
 */
const STEP_MS = 30_000;
/** A step boundary well in the future of any real clock, plus one second. */
const BASE = Math.ceil(Date.now() / STEP_MS) * STEP_MS + 1000;
let nextStep = 0;

/** Moves the clock to the start of a step no earlier test used, and returns that step's time. */
function freshStep(): number {
  nextStep += 10;
  const at = BASE + nextStep * STEP_MS;
  vi.setSystemTime(at);
  return at;
}

/** The code an authenticator shows at `at` (+ `steps` steps). */
const codeAt = (secret: string, at: number, steps = 0) =>
  generateSync({ secret, epoch: Math.floor((at + steps * STEP_MS) / 1000) });

type Setup = { secret: string; uri: string };
/** Failed logins before a username locks; above the default so one test can try several wrong things. */
const LOGIN_FAILURES = 8;

describe('TOTP second factor', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Real login limits (a wrong code must count towards the lockout); registration relaxed for the test.
    server = await startTestServer({
      config: {
        limits: {
          ...DEFAULT_LIMITS,
          loginFailures: { points: LOGIN_FAILURES, duration: 15 * 60 },
          registerIp: { points: 10_000, duration: 3600 },
          loginIp: { points: 10_000, duration: 60 },
          loginIpFailures: { points: 10_000, duration: 3600 },
        },
      },
    });
  });
  afterAll(() => server?.close());
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  const login = (who: TestUser, extra: Record<string, unknown> = {}) =>
    api<{ token: string }>(server.url, 'POST', '/api/auth/login', {
      body: { username: who.user.username, password: who.password, ...extra },
    });
  const sessionCount = async (who: TestUser) =>
    (await server.query<{ n: number }>(`select count(*)::int as n from sessions where user_id = '${who.user.id}'`))[0]!
      .n;

  /** Enrols `who` (setup, then confirm with the current code) and returns the secret and recovery codes. */
  async function enrol(who: TestUser) {
    const setup = await api<Setup>(server.url, 'POST', '/api/auth/totp/setup', { token: who.token });
    expect(setup.status, JSON.stringify(setup.json)).toBe(200);
    const at = freshStep();
    const confirm = await api<{ recoveryCodes: string[] }>(server.url, 'POST', '/api/auth/totp/confirm', {
      token: who.token,
      body: { code: codeAt(setup.json.secret, at) },
    });
    expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
    return { secret: setup.json.secret, uri: setup.json.uri, recoveryCodes: confirm.json.recoveryCodes };
  }

  it('enrols: a secret and otpauth URI first, enforced only once a code confirms it; recovery codes once', async () => {
    const alice = await newUser(server.url, 'alice');
    const setup = await api<Setup>(server.url, 'POST', '/api/auth/totp/setup', { token: alice.token });
    expect(setup.status).toBe(200);
    expect(setup.json.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(setup.json.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.pathname)).toContain(`Salon:${alice.user.username}`);
    expect(uri.searchParams.get('secret')).toBe(setup.json.secret);
    // Sealed at rest under a key derived from the master key: the table alone does not give the secret away.
    const [stored] = await server.query<{ secret: string }>(
      `select secret from user_totp where user_id = '${alice.user.id}'`,
    );
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.secret).not.toContain(setup.json.secret);

    // Not enabled yet: the password alone still logs in, and /api/me says so.
    expect((await login(alice)).status).toBe(200);
    const before = await api<{ account: { totpEnabled: boolean } }>(server.url, 'GET', '/api/me', {
      token: alice.token,
    });
    expect(before.json.account.totpEnabled).toBe(false);

    // Wrong, malformed and over-shaped confirmations.
    const at = freshStep();
    const good = codeAt(setup.json.secret, at);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    const confirm = (body: unknown) =>
      api<{ recoveryCodes: string[] }>(server.url, 'POST', '/api/auth/totp/confirm', { token: alice.token, body });
    expect((await confirm({ code: wrong })).json.error?.code).toBe('totp_invalid');
    for (const body of [{}, { code: '12ab56' }, { code: 123456 }, { code: good, extra: 1 }, { code: '1234567' }]) {
      expect((await confirm(body)).json.error?.code, JSON.stringify(body)).toBe('invalid_request');
    }
    expect((await confirm({ code: good })).status).toBe(200);
    const after = await api(server.url, 'GET', '/api/me', { token: alice.token });
    expect(after.json).toMatchObject({ account: { totpEnabled: true, totpRequired: false } });

    // A second setup or confirmation cannot replace an enabled factor behind the user's back.
    expect((await api(server.url, 'POST', '/api/auth/totp/setup', { token: alice.token })).json.error?.code).toBe(
      'conflict',
    );
    expect((await confirm({ code: codeAt(setup.json.secret, at, 1) })).json.error?.code).toBe('conflict');
    // Without a session, nothing.
    expect((await api(server.url, 'POST', '/api/auth/totp/setup')).status).toBe(401);
  });

  it('stores recovery codes as SHA-256 only, ten distinct ones', async () => {
    const bob = await newUser(server.url, 'bob');
    const { recoveryCodes } = await enrol(bob);
    expect(recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const rows = await server.query<{ code_hash: string }>(
      `select code_hash from recovery_codes where user_id = '${bob.user.id}'`,
    );
    const sha = (c: string) => createHash('sha256').update(c.replace('-', '')).digest('base64url');
    expect(rows.map((r) => r.code_hash).sort()).toEqual(recoveryCodes.map(sha).sort());
    const stored = JSON.stringify(rows);
    for (const code of recoveryCodes) expect(stored).not.toContain(code.replace('-', ''));
  });

  it('login: totp_required without a session, a wrong code refused, a right one once (no replay)', async () => {
    const carol = await newUser(server.url, 'carol');
    const { secret } = await enrol(carol);
    const sessions = await sessionCount(carol);

    const bare = await login(carol);
    expect(bare.status).toBe(401);
    expect(bare.json.error?.code).toBe('totp_required');
    expect(bare.json.token).toBeUndefined();
    // A wrong password is still the plain refusal, code or not: the factor is asked only after the password.
    const wrongPassword = await api(server.url, 'POST', '/api/auth/login', {
      body: { username: carol.user.username, password: 'not the password', totp: '000000' },
    });
    expect(wrongPassword.json.error?.code).toBe('unauthenticated');

    const at = freshStep();
    const code = codeAt(secret, at, 1);
    const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    expect((await login(carol, { totp: wrong })).json.error?.code).toBe('totp_invalid');
    // A code from far outside the tolerance window is as wrong as a random one.
    expect((await login(carol, { totp: codeAt(secret, at, 5) })).json.error?.code).toBe('totp_invalid');
    expect(await sessionCount(carol)).toBe(sessions);

    const ok = await login(carol, { totp: code });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect((await api(server.url, 'GET', '/api/me', { token: ok.json.token })).status).toBe(200);
    // The same code again, while it is still valid: refused, and so is the step before it.
    const replay = await login(carol, { totp: code });
    expect(replay.json.error?.code).toBe('totp_invalid');
    expect((await login(carol, { totp: codeAt(secret, at) })).json.error?.code).toBe('totp_invalid');
    expect(await sessionCount(carol)).toBe(sessions + 1);
    // The next step's code works (and spaces, as people type them, do not matter).
    const later = codeAt(secret, freshStep());
    const next = await login(carol, { totp: `${later.slice(0, 3)} ${later.slice(3)}` });
    expect(next.status, JSON.stringify(next.json)).toBe(200);
  });

  it('a recovery code works exactly once, and only for its own account', async () => {
    const [dave, eve] = [await newUser(server.url, 'dave'), await newUser(server.url, 'eve')];
    const { recoveryCodes } = await enrol(dave);
    await enrol(eve);
    const [first, second] = recoveryCodes as [string, string];
    expect((await login(eve, { recoveryCode: first })).json.error?.code).toBe('totp_invalid');
    expect((await login(dave, { recoveryCode: first.toUpperCase() })).status).toBe(200);
    expect((await login(dave, { recoveryCode: first })).json.error?.code).toBe('totp_invalid');
    expect((await login(dave, { recoveryCode: second.replace('-', '') })).status).toBe(200);
    const used = await server.query<{ n: number }>(
      `select count(*)::int as n from recovery_codes where user_id = '${dave.user.id}' and used_at is not null`,
    );
    expect(used[0]!.n).toBe(2);
  });

  it('refuses malformed login bodies with invalid_request', async () => {
    const frank = await newUser(server.url, 'frank');
    const { secret, recoveryCodes } = await enrol(frank);
    const code = codeAt(secret, freshStep(), 1);
    for (const extra of [
      { totp: code, recoveryCode: recoveryCodes[0] },
      { totp: 123456 },
      { totp: 'abcdef' },
      { totp: '' },
      { recoveryCode: 'short' },
      { recoveryCode: 'x'.repeat(100) },
      { recoveryCode: null },
      { otp: code },
    ]) {
      const res = await login(frank, extra);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.json.error?.code).toBe('invalid_request');
    }
    // None of that spent the code.
    expect((await login(frank, { totp: code })).status).toBe(200);
  });

  it('wrong codes count as failed logins: the username locks, even for the right code', async () => {
    const grace = await newUser(server.url, 'grace');
    const { secret } = await enrol(grace);
    const at = freshStep();
    const right = codeAt(secret, at, 1);
    for (const i of range(1, LOGIN_FAILURES)) {
      const guess = String((Number(right) + i) % 1_000_000).padStart(6, '0');
      expect((await login(grace, { totp: guess })).json.error?.code).toBe('totp_invalid');
    }
    const locked = await login(grace, { totp: right });
    expect(locked.status).toBe(429);
    expect(locked.json.error?.code).toBe('rate_limited');
    // The owner's existing session is untouched.
    expect((await api(server.url, 'GET', '/api/me', { token: grace.token })).status).toBe(200);
  });

  it('turning it off takes a current code or the password, never the session alone', async () => {
    const heidi = await newUser(server.url, 'heidi');
    const { secret } = await enrol(heidi);
    const off = (body: unknown) => api(server.url, 'DELETE', '/api/auth/totp', { token: heidi.token, body });
    expect((await off({})).json.error?.code).toBe('invalid_request');
    expect((await off({ code: '12', password: 'x' })).json.error?.code).toBe('invalid_request');
    const at = freshStep();
    const code = codeAt(secret, at, 1);
    expect((await off({ code: String((Number(code) + 3) % 1_000_000).padStart(6, '0') })).json.error?.code).toBe(
      'totp_invalid',
    );
    expect((await off({ password: 'not my password' })).json.error?.code).toBe('forbidden');
    expect((await off({ code })).status).toBe(204);
    expect((await off({ code })).json.error?.code).toBe('not_found');
    expect((await login(heidi)).status).toBe(200);
    const rows = await server.query(`select 1 from recovery_codes where user_id = '${heidi.user.id}'`);
    expect(rows).toHaveLength(0);

    // And by password.
    await enrol(heidi);
    expect((await login(heidi)).json.error?.code).toBe('totp_required');
    expect((await off({ password: heidi.password })).status).toBe(204);
    expect((await login(heidi)).status).toBe(200);
  });
});

describe('a platform that requires a second factor (SALON_REQUIRE_TOTP=1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { requireTotp: true } });
  });
  afterAll(() => server?.close());

  it('lets an account without one enrol and nothing else; with one, everything works', async () => {
    const ivan = await newUser(server.url, 'ivan');
    const me = await api(server.url, 'GET', '/api/me', { token: ivan.token });
    expect(me.json).toMatchObject({ account: { totpEnabled: false, totpRequired: true } });
    const rooms = await api(server.url, 'GET', '/api/rooms', { token: ivan.token });
    expect(rooms.status).toBe(403);
    expect(rooms.json.error?.code).toBe('totp_enrollment_required');
    await expect(WsClient.connect(server.url, ivan.token)).rejects.toThrow(/403/);

    const setup = await api<Setup>(server.url, 'POST', '/api/auth/totp/setup', { token: ivan.token });
    expect(setup.status).toBe(200);
    // A pending enrolment is not yet a second factor.
    expect((await api(server.url, 'GET', '/api/rooms', { token: ivan.token })).status).toBe(403);
    const confirmed = await api(server.url, 'POST', '/api/auth/totp/confirm', {
      token: ivan.token,
      body: { code: generateSync({ secret: setup.json.secret }) },
    });
    expect(confirmed.status).toBe(200);
    expect((await api(server.url, 'GET', '/api/rooms', { token: ivan.token })).status).toBe(200);
    const roomId = await newRoom(server.url, ivan);
    const ws = await WsClient.connect(server.url, ivan.token);
    expect((await ws.request({ type: 'send', id: 1, roomId, body: 'enrolled' })).type).toBe('ack');
    await ws.close();
  });
});
