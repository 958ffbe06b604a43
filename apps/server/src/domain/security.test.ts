import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, newRoom, newUser, range, type TestUser, uniqueName, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { DEFAULT_LIMITS } from './limits.js';

type Alert = {
  rule: string;
  severity: string;
  response: string;
  userId: string | null;
  ip: string | null;
  roomId: string | null;
};
const ATTACKER_IP = '203.0.113.66';
const ORDINARY_IP = '203.0.113.7';

describe('scripted attacks raise alerts and responses; ordinary users are never limited', () => {
  let server: TestServer;
  let admin: TestUser;
  let ordinary: TestUser;
  let adminWs: WsClient;
  let pool: TestUser[];
  beforeAll(async () => {
    // Shipped defaults, except registration (the test itself registers many users from one address), and
    // client addresses taken from X-Forwarded-For so attacker and bystander can differ on one machine.
    server = await startTestServer({
      config: {
        limits: {
          ...DEFAULT_LIMITS,
          registerIp: { points: 10_000, duration: 3600 },
          loginIp: { points: 10_000, duration: 60 },
        },
        trustProxy: true,
      },
    });
    [admin, ordinary] = await Promise.all([newUser(server.url, 'admin'), newUser(server.url, 'ordinary')]);
    await server.query(`update users set is_platform_admin = true where id = '${admin.user.id}'`);
    adminWs = await WsClient.connect(server.url, admin.token);
    pool = [];
    for (const batch of range(0, 5))
      pool.push(...(await Promise.all(range(1, 10).map(() => newUser(server.url, `p${batch}`)))));
  });
  afterAll(async () => {
    await adminWs?.close();
    await server?.close();
  });

  const alerts = async () =>
    (await api<{ alerts: Alert[] }>(server.url, 'GET', '/api/admin/alerts', { token: admin.token })).json.alerts;
  const login = (username: string, password: string, ip: string) =>
    api(server.url, 'POST', '/api/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': ip } });
  /** An ordinary user doing ordinary things: logs in, lists rooms, posts in a room. */
  async function ordinaryDay() {
    expect((await login(ordinary.user.username, ordinary.password, ORDINARY_IP)).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/rooms', { token: ordinary.token })).status).toBe(200);
    const roomId = await newRoom(server.url, ordinary);
    const ws = await WsClient.connect(server.url, ordinary.token);
    expect((await ws.request({ type: 'send', id: 'hi', roomId, body: 'ordinary message' })).type).toBe('ack');
    await ws.close();
  }

  it('password spraying over 50 accounts from one address: alert, and that address is blocked', async () => {
    for (const victim of pool) await login(victim.user.username, 'Summer2026!', ATTACKER_IP);
    await eventually(
      async () => (await alerts()).some((a) => a.rule === 'passwordSpraying' && a.ip === ATTACKER_IP),
      10_000,
      'alert',
    );
    const alert = (await alerts()).find((a) => a.rule === 'passwordSpraying')!;
    expect(alert).toMatchObject({ severity: 'high', response: expect.stringContaining('blocked') });
    expect((await login(pool[0]!.user.username, pool[0]!.password, ATTACKER_IP)).status).toBe(429);
    // The platform admin saw it live.
    expect(
      await adminWs.wait(
        (f) => f.type === 'event' && f.kind === 'security.alert' && f.alert.rule === 'passwordSpraying',
      ),
    ).toBeTruthy();
    await ordinaryDay();
  });

  it('30 wrong passwords on one account: locked, alert raised, the owner keeps their session', async () => {
    const victim = pool[1]!;
    for (const i of range(1, 30)) await login(victim.user.username, `guess ${i}`, '203.0.113.90');
    await eventually(async () => (await alerts()).some((a) => a.rule === 'bruteForce'), 10_000, 'alert');
    expect((await login(victim.user.username, victim.password, '203.0.113.91')).status).toBe(429);
    expect((await api(server.url, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
    await ordinaryDay();
  });

  it('a 200-message flood in a room: alert, the flooder is muted there, the others chat on', async () => {
    const [flooder, neighbour] = [pool[2]!, pool[3]!];
    const roomId = await newRoom(server.url, neighbour);
    await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: flooder.token });
    const [wf, wn] = await Promise.all([
      WsClient.connect(server.url, flooder.token),
      WsClient.connect(server.url, neighbour.token),
    ]);
    await wn.request({ type: 'subscribe', id: 's', roomId });
    for (const i of range(1, 200)) wf.send({ type: 'send', id: i, roomId, body: `spam ${i}` });
    await wf.wait((f) => f.id === 200, 30_000);
    await eventually(
      async () => (await alerts()).some((a) => a.rule === 'messageFlood' && a.roomId === roomId),
      10_000,
      'alert',
    );
    await wn.wait((f) => f.type === 'event' && f.kind === 'member.muted' && f.user.id === flooder.user.id, 15_000);
    await eventually(
      async () => (await wf.request({ type: 'send', id: uniqueName('m'), roomId, body: 'more' })).code === 'forbidden',
      5000,
      'mute',
    );
    expect((await wn.request({ type: 'send', id: 'n', roomId, body: 'still here' })).type).toBe('ack');
    const roomAlerts = await api<{ alerts: Alert[] }>(server.url, 'GET', `/api/rooms/${roomId}/alerts`, {
      token: neighbour.token,
    });
    expect(roomAlerts.json.alerts.map((a) => a.rule)).toContain('messageFlood');
    await Promise.all([wf.close(), wn.close()]);
    await ordinaryDay();
  });

  it('enumerating 500 random room ids: alert, and every session of the prober is revoked', async () => {
    const prober = pool[4]!;
    const ws = await WsClient.connect(server.url, prober.token);
    let lastStatus = 0;
    for (const _ of range(1, 500)) {
      const res = await api(server.url, 'GET', `/api/rooms/${crypto.randomUUID()}`, { token: prober.token });
      lastStatus = res.status;
      if (res.status === 401) break;
    }
    await eventually(
      async () => (await alerts()).some((a) => a.rule === 'roomProbing' && a.userId === prober.user.id),
      10_000,
      'alert',
    );
    expect(lastStatus).toBe(401);
    expect((await ws.closeEvent).code).toBe(4401);
    await ordinaryDay();
  });

  it('100 invitations in a minute: alert (the invite limit also caps them)', async () => {
    const inviter = pool[5]!;
    const rooms = await Promise.all(range(1, 2).map(() => newRoom(server.url, inviter, 'private')));
    let accepted = 0;
    for (const i of range(0, 99)) {
      const res = await api(server.url, 'POST', `/api/rooms/${rooms[i % 2]}/invitations`, {
        token: inviter.token,
        body: { username: pool[6 + (i % 40)]!.user.username },
      });
      if (res.status === 201) accepted++;
    }
    expect(accepted).toBeLessThanOrEqual(DEFAULT_LIMITS.invite.points);
    await eventually(
      async () => (await alerts()).some((a) => a.rule === 'massInvitations' && a.userId === inviter.user.id),
      10_000,
      'alert',
    );
    await ordinaryDay();
  });
});

describe('sessions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('lists my sessions and revokes one or all others, closing their sockets at once', async () => {
    const me = await newUser(server.url, 'me');
    const second = await api<{ token: string }>(server.url, 'POST', '/api/auth/login', {
      body: { username: me.user.username, password: me.password },
      headers: { 'user-agent': 'salon-test-laptop' },
    });
    const third = await api<{ token: string }>(server.url, 'POST', '/api/auth/login', {
      body: { username: me.user.username, password: me.password },
    });
    const list = await api<{ sessions: Array<{ id: string; current: boolean; userAgent: string | null }> }>(
      server.url,
      'GET',
      '/api/sessions',
      { token: me.token },
    );
    expect(list.json.sessions).toHaveLength(3);
    expect(list.json.sessions.filter((s) => s.current)).toHaveLength(1);
    const laptop = list.json.sessions.find((s) => s.userAgent === 'salon-test-laptop')!;
    const onLaptop = await WsClient.connect(server.url, second.json.token);
    const onThird = await WsClient.connect(server.url, third.json.token);
    expect((await api(server.url, 'DELETE', `/api/sessions/${laptop.id}`, { token: me.token })).status).toBe(204);
    expect((await onLaptop.closeEvent).code).toBe(4401);
    expect((await api(server.url, 'POST', '/api/sessions/revoke-others', { token: me.token })).status).toBe(204);
    expect((await onThird.closeEvent).code).toBe(4401);
    expect((await api(server.url, 'GET', '/api/me', { token: third.json.token })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/me', { token: me.token })).status).toBe(200);
    const other = await newUser(server.url, 'other');
    expect(
      (
        await api(server.url, 'DELETE', `/api/sessions/${list.json.sessions.find((s) => s.current)!.id}`, {
          token: other.token,
        })
      ).json.error?.code,
    ).toBe('not_found');
  });
});
