import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, newUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';

/** A user's other sessions hear of each new login, through the broker (Redis here) like every user event. */
describe('new-login notification', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'postgres+redis', config: { trustProxy: true } });
  });
  afterAll(() => server?.close());

  const login = (username: string, password: string, ip: string, userAgent: string) =>
    api<{ token: string }>(server.url, 'POST', '/api/auth/login', {
      body: { username, password },
      headers: { 'x-forwarded-for': ip, 'user-agent': userAgent },
    });

  it('reaches the other sessions of that user only, with the new session, and marks a new network', async () => {
    const [me, other] = await Promise.all([newUser(server.url, 'me'), newUser(server.url, 'other')]);
    const [mine, theirs] = await Promise.all([
      WsClient.connect(server.url, me.token),
      WsClient.connect(server.url, other.token),
    ]);

    const fresh = await login(me.user.username, me.password, '198.51.100.23', 'salon-test-phone');
    expect(fresh.status).toBe(200);
    const event = await mine.wait((f) => f.type === 'event' && f.kind === 'security.new_login');
    const sessions = await api<{ sessions: Array<{ id: string; userAgent: string | null; ip: string | null }> }>(
      server.url,
      'GET',
      '/api/sessions',
      { token: me.token },
    );
    const phone = sessions.json.sessions.find((s) => s.userAgent === 'salon-test-phone');
    expect(phone).toBeDefined();
    expect(event.session).toMatchObject({ id: phone!.id, ip: '198.51.100.23', userAgent: 'salon-test-phone' });
    expect(typeof event.session.createdAt).toBe('string');
    expect(event.newNetwork).toBe(true);
    const recorded = async () =>
      server.query(`select 1 from security_events where kind = 'login.new_network' and user_id = '${me.user.id}'`);
    await eventually(async () => (await recorded()).length === 1, 10_000, 'security event');

    // The same address again is no new network; a failed login is no login at all.
    await login(me.user.username, me.password, '198.51.100.23', 'salon-test-phone-2');
    const second = await mine.wait(
      (f) => f.type === 'event' && f.kind === 'security.new_login' && f.session.userAgent === 'salon-test-phone-2',
    );
    expect(second.newNetwork).toBe(false);
    expect((await login(me.user.username, 'wrong password!', '198.51.100.99', 'attacker')).status).toBe(401);

    // Everything published so far has reached the sockets once a ping round trip completes.
    await theirs.ping();
    await mine.ping();
    expect(theirs.inbox.filter((f) => f.kind === 'security.new_login')).toEqual([]);
    expect(mine.inbox.filter((f) => f.kind === 'security.new_login')).toHaveLength(2);
    expect(await recorded()).toHaveLength(1);
    await Promise.all([mine.close(), theirs.close()]);
  });
});
