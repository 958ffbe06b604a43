import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { DEFAULT_LIMITS, relaxedLimits } from './limits.js';

/** Bot accounts (integrations posting instrument data) send under a higher budget from the same limits table. */
describe('limit tiers', () => {
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    // Everything relaxed but the two send limits under test, which keep their shipped values.
    server = await startTestServer({
      config: {
        limits: {
          ...relaxedLimits(),
          sendUserRoom: DEFAULT_LIMITS.sendUserRoom,
          sendUserRoomBot: DEFAULT_LIMITS.sendUserRoomBot,
        },
      },
    });
    admin = await newUser(server.url, 'admin');
    await server.query(`update users set is_platform_admin = true where id = '${admin.user.id}'`);
  });
  afterAll(() => server?.close());

  const setTier = (by: TestUser, userId: string, body: unknown) =>
    api(server.url, 'PUT', `/api/admin/users/${userId}/tier`, { token: by.token, body });

  /** Sends `count` messages as fast as the socket takes them and counts the acks and refusals. */
  async function burst(ws: WsClient, roomId: string, count: number, prefix: string) {
    for (const i of range(1, count)) ws.send({ type: 'send', id: `${prefix}${i}`, roomId, body: `reading ${i}` });
    await ws.wait((f) => f.id === `${prefix}${count}`, 30_000);
    await ws.ping();
    const answers = ws.inbox.filter((f) => typeof f.id === 'string' && f.id.startsWith(prefix));
    return {
      acked: answers.filter((f) => f.type === 'ack').length,
      limited: answers.filter((f) => f.type === 'error' && f.code === 'rate_limited').length,
    };
  }

  it('a platform admin marks a bot; only admins may, with a valid tier, for a real user', async () => {
    const [bot, someone] = [await newUser(server.url, 'bot'), await newUser(server.url, 'someone')];
    expect((await setTier(someone, bot.user.id, { tier: 'bot' })).json.error?.code).toBe('forbidden');
    expect((await setTier(admin, bot.user.id, { tier: 'robot' })).json.error?.code).toBe('invalid_request');
    expect((await setTier(admin, bot.user.id, {})).json.error?.code).toBe('invalid_request');
    expect((await setTier(admin, bot.user.id, { tier: 'bot', extra: true })).json.error?.code).toBe('invalid_request');
    expect((await setTier(admin, crypto.randomUUID(), { tier: 'bot' })).json.error?.code).toBe('not_found');
    expect((await setTier(admin, 'not-an-id', { tier: 'bot' })).json.error?.code).toBe('not_found');
    const set = await setTier(admin, bot.user.id, { tier: 'bot' });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ user: { id: bot.user.id }, tier: 'bot' });
    expect((await api(server.url, 'GET', '/api/me', { token: bot.token })).json).toMatchObject({
      account: { tier: 'bot' },
    });
    const audit = await api<{ entries: Array<{ action: string; target: { id: string } | null; details: unknown }> }>(
      server.url,
      'GET',
      '/api/admin/audit',
      { token: admin.token },
    );
    expect(audit.json.entries.at(-1)).toMatchObject({
      action: 'platform.tier_changed',
      target: { id: bot.user.id },
      details: { tier: 'bot' },
    });
  });

  it('a bot sends past the ordinary limit while an ordinary user in the same room is still limited', async () => {
    const [bot, person] = [await newUser(server.url, 'sensor'), await newUser(server.url, 'person')];
    expect((await setTier(admin, bot.user.id, { tier: 'bot' })).status).toBe(200);
    const roomId = await newRoom(server.url, admin);
    for (const who of [bot, person])
      expect((await api(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: who.token })).status).toBe(200);
    // The tier is read when the socket opens: both connect after the change.
    const [botWs, personWs] = await Promise.all([
      WsClient.connect(server.url, bot.token),
      WsClient.connect(server.url, person.token),
    ]);
    const count = 3 * DEFAULT_LIMITS.sendUserRoom.points;
    const person1 = await burst(personWs, roomId, count, 'p');
    const bot1 = await burst(botWs, roomId, count, 'b');
    expect(bot1).toEqual({ acked: count, limited: 0 });
    expect(person1.limited).toBeGreaterThan(0);
    expect(person1.acked).toBeLessThan(count);

    // Back to standard: the next connection is limited like anyone.
    await botWs.close();
    expect((await setTier(admin, bot.user.id, { tier: 'standard' })).status).toBe(200);
    const again = await WsClient.connect(server.url, bot.token);
    const bot2 = await burst(again, roomId, count, 's');
    expect(bot2.limited).toBeGreaterThan(0);
    await Promise.all([again.close(), personWs.close()]);
  });
});
