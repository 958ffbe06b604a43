import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, range, type TestUser, WsClient } from '../test/client.js';
import { addMember } from '../test/governance.js';
import { startTestServer, type TestServer } from '../test/harness.js';

describe('room governance', () => {
  let server: TestServer;
  let owner: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let eve: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'postgres' });
    [owner, alice, bob, eve] = await Promise.all(['owner', 'alice', 'bob', 'eve'].map((n) => newUser(server.url, n)));
  });
  afterAll(() => server?.close());
  const call = (method: string, path: string, who: TestUser, body?: unknown) =>
    api(server.url, method, path, { token: who.token, body });

  it('delivers an invitation in real time; the invitee lists, declines or accepts it', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    const inbox = await WsClient.connect(server.url, alice.token);
    const invited = await call('POST', `/api/rooms/${roomId}/invitations`, owner, { username: alice.user.username });
    expect(invited.status).toBe(201);
    const event = await inbox.wait((f) => f.type === 'event' && f.kind === 'invitation.received');
    expect(event.invitation).toMatchObject({ room: { id: roomId }, inviter: { id: owner.user.id } });
    const list = await api<{ invitations: Array<{ id: string }> }>(server.url, 'GET', '/api/invitations', {
      token: alice.token,
    });
    expect(list.json.invitations.map((i) => i.id)).toEqual([event.invitation.id]);
    // Nobody else can answer it.
    expect((await call('POST', `/api/invitations/${event.invitation.id}/accept`, bob)).json.error?.code).toBe(
      'not_found',
    );
    expect((await call('POST', `/api/invitations/${event.invitation.id}/decline`, alice)).status).toBe(204);
    expect((await call('GET', `/api/rooms/${roomId}`, alice)).status).toBe(404);
    await addMember(server.url, roomId, owner, alice);
    expect((await call('GET', `/api/rooms/${roomId}`, alice)).json).toMatchObject({
      room: { joined: true, role: 'member' },
    });
    await inbox.close();
  });

  it('refuses expired, used-up and revoked links with distinct codes; tokens carry >= 128 bits', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    const make = async (maxUses: number) =>
      (
        await api<{ link: { token: string } }>(server.url, 'POST', `/api/rooms/${roomId}/links`, {
          token: owner.token,
          body: { expiresInSeconds: 3600, maxUses },
        })
      ).json.link.token;
    const single = await make(1);
    expect(Buffer.from(single, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect((await call('POST', `/api/links/${single}/redeem`, alice)).json).toMatchObject({ room: { id: roomId } });
    expect((await call('POST', `/api/links/${single}/redeem`, alice)).status).toBe(200); // a member redeeming again
    const used = await call('POST', `/api/links/${single}/redeem`, bob);
    expect([used.status, used.json.error?.code]).toEqual([410, 'link_exhausted']);
    const revoked = await make(5);
    expect((await call('DELETE', `/api/rooms/${roomId}/links/${revoked}`, owner)).status).toBe(204);
    expect((await call('POST', `/api/links/${revoked}/redeem`, bob)).json.error?.code).toBe('link_revoked');
    const expired = await make(5);
    await server.query(
      `update invite_links set expires_at = now() - interval '1 second' where room_id = '${roomId}' and revoked_at is null and uses = 0`,
    );
    expect((await call('POST', `/api/links/${expired}/redeem`, bob)).json.error?.code).toBe('link_expired');
    const guessed = await call('POST', `/api/links/${single.slice(0, -2)}xx/redeem`, bob);
    expect(guessed.json.error?.code).toBe('not_found');
    expect((await call('GET', `/api/rooms/${roomId}`, bob)).status).toBe(404);
    // Only hashes are stored.
    const stored = await server.query<{ token_hash: string }>(
      `select token_hash from invite_links where room_id = '${roomId}'`,
    );
    expect(stored.map((r) => r.token_hash)).not.toContain(single);
  });

  it('keeps a banned user out of invitations, links and public joins until unbanned', async () => {
    const roomId = await newRoom(server.url, owner, 'public');
    await call('POST', `/api/rooms/${roomId}/join`, eve);
    const ws = await WsClient.connect(server.url, eve.token);
    await ws.request({ type: 'subscribe', id: 's', roomId });
    expect(
      (await call('POST', `/api/rooms/${roomId}/bans`, owner, { userId: eve.user.id, reason: 'spam' })).status,
    ).toBe(201);
    expect(await ws.wait((f) => f.type === 'event' && f.kind === 'member.banned')).toMatchObject({ reason: 'spam' });
    expect((await call('POST', `/api/rooms/${roomId}/join`, eve)).json.error?.code).toBe('forbidden');
    expect(
      (await call('POST', `/api/rooms/${roomId}/invitations`, owner, { username: eve.user.username })).json.error?.code,
    ).toBe('forbidden');
    const link = await api<{ link: { token: string } }>(server.url, 'POST', `/api/rooms/${roomId}/links`, {
      token: owner.token,
      body: { expiresInSeconds: 600, maxUses: 5 },
    });
    expect((await call('POST', `/api/links/${link.json.link.token}/redeem`, eve)).json.error?.code).toBe('forbidden');
    expect((await ws.request({ type: 'send', id: 'x', roomId, body: 'still here?' })).code).toBe('forbidden');
    const bans = await api<{ bans: Array<{ user: { id: string }; reason: string }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/bans`,
      { token: owner.token },
    );
    expect(bans.json.bans).toMatchObject([{ user: { id: eve.user.id }, reason: 'spam' }]);
    expect((await call('DELETE', `/api/rooms/${roomId}/bans/${eve.user.id}`, owner)).status).toBe(204);
    expect((await call('POST', `/api/rooms/${roomId}/join`, eve)).status).toBe(200);
    await ws.close();
  });

  it('lets roles act only on members below them, and only grant roles below their own', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    await addMember(server.url, roomId, owner, alice, 'admin');
    await addMember(server.url, roomId, owner, bob, 'moderator');
    await addMember(server.url, roomId, owner, eve);
    const code = async (r: Promise<{ json: { error?: { code: string } } }>) => (await r).json.error?.code;
    expect(await code(call('POST', `/api/rooms/${roomId}/members/${alice.user.id}/kick`, bob))).toBe('forbidden');
    expect(await code(call('PATCH', `/api/rooms/${roomId}/members/${eve.user.id}`, alice, { role: 'admin' }))).toBe(
      'forbidden',
    );
    expect(await code(call('PATCH', `/api/rooms/${roomId}/members/${owner.user.id}`, alice, { role: 'member' }))).toBe(
      'forbidden',
    );
    expect(await code(call('POST', `/api/rooms/${roomId}/members/${bob.user.id}/kick`, bob))).toBe('forbidden');
    expect(await code(call('POST', `/api/rooms/${roomId}/members/${owner.user.id}/mute`, alice, { seconds: 60 }))).toBe(
      'forbidden',
    );
    expect((await call('PATCH', `/api/rooms/${roomId}/members/${bob.user.id}`, alice, { role: 'member' })).status).toBe(
      200,
    );
    // Ownership moves whole: the old owner becomes admin, and the room always has exactly one owner.
    expect(
      (await call('PATCH', `/api/rooms/${roomId}/members/${alice.user.id}`, owner, { role: 'owner' })).status,
    ).toBe(200);
    const members = await api<{ members: Array<{ user: { id: string }; role: string }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/members`,
      { token: owner.token },
    );
    const roles = Object.fromEntries(members.json.members.map((m) => [m.user.id, m.role]));
    expect(roles).toEqual({
      [owner.user.id]: 'admin',
      [alice.user.id]: 'owner',
      [bob.user.id]: 'member',
      [eve.user.id]: 'member',
    });
    expect((await call('POST', `/api/rooms/${roomId}/leave`, owner)).status).toBe(204);
  });

  it('mutes a member for a while: they read but cannot send until unmuted', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    await addMember(server.url, roomId, owner, bob);
    const ws = await WsClient.connect(server.url, bob.token);
    await ws.request({ type: 'subscribe', id: 's', roomId });
    expect(
      (await call('POST', `/api/rooms/${roomId}/members/${bob.user.id}/mute`, owner, { seconds: 600 })).status,
    ).toBe(204);
    expect(await ws.wait((f) => f.type === 'event' && f.kind === 'member.muted')).toHaveProperty('until');
    expect((await ws.request({ type: 'send', id: 'm', roomId, body: 'hello?' })).code).toBe('forbidden');
    const ownerWs = await WsClient.connect(server.url, owner.token);
    await ownerWs.request({ type: 'send', id: 'o', roomId, body: 'you can still read' });
    await ws.wait((f) => f.type === 'message' && f.body === 'you can still read');
    expect((await call('DELETE', `/api/rooms/${roomId}/members/${bob.user.id}/mute`, owner)).status).toBe(204);
    expect((await ws.request({ type: 'send', id: 'm2', roomId, body: 'thanks' })).type).toBe('ack');
    await Promise.all([ws.close(), ownerWs.close()]);
  });

  it('deletes a message: a tombstone event for everyone, the content gone from the store', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    await addMember(server.url, roomId, owner, bob);
    const [wo, wb] = await Promise.all([
      WsClient.connect(server.url, owner.token),
      WsClient.connect(server.url, bob.token),
    ]);
    await wo.request({ type: 'subscribe', id: 's', roomId });
    await wb.request({ type: 'subscribe', id: 's', roomId });
    const { seq } = await wb.request({ type: 'send', id: 'm', roomId, body: 'secret formula' });
    const other = await wo.request({ type: 'send', id: 'o', roomId, body: "owner's note" });
    expect((await call('DELETE', `/api/rooms/${roomId}/messages/${other.seq}`, bob)).json.error?.code).toBe(
      'forbidden',
    );
    expect((await call('DELETE', `/api/rooms/${roomId}/messages/${seq}`, bob)).status).toBe(204);
    for (const ws of [wo, wb])
      expect(await ws.wait((f) => f.type === 'event' && f.kind === 'message.deleted')).toMatchObject({ roomId, seq });
    const rows = await server.query<{ body: string | null; sealed_body: string | null }>(
      `select body, sealed_body from messages where room_id = '${roomId}' and seq = ${seq}`,
    );
    expect(rows).toEqual([{ body: null, sealed_body: null }]);
    expect((await server.stored(roomId)).find((m) => m.seq === other.seq)?.body).toBe("owner's note");
    const history = await api<{ messages: Array<Record<string, unknown>> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/messages`,
      { token: owner.token },
    );
    expect(history.json.messages[0]).toMatchObject({ seq, deletedAt: expect.any(String) });
    expect(history.json.messages[0]).not.toHaveProperty('body');
    expect((await call('DELETE', `/api/rooms/${roomId}/messages/999`, owner)).json.error?.code).toBe('not_found');
    // Deleting again is harmless: no second audit entry, no second event.
    expect((await call('DELETE', `/api/rooms/${roomId}/messages/${seq}`, owner)).status).toBe(204);
    const audit = await api<{ entries: Array<{ action: string }> }>(server.url, 'GET', `/api/rooms/${roomId}/audit`, {
      token: owner.token,
    });
    expect(audit.json.entries.filter((e) => e.action === 'message.deleted')).toHaveLength(1);
    await wo.ping();
    expect(wo.inbox.filter((f) => f.type === 'event' && f.kind === 'message.deleted')).toHaveLength(1);
    await Promise.all([wo.close(), wb.close()]);
  });

  it('hides a private room from non-members on every route, and answers join requests without leaking', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    const name = (
      await api<{ room: { name: string } }>(server.url, 'GET', `/api/rooms/${roomId}`, { token: owner.token })
    ).json.room.name;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', ''],
      ['GET', '/members'],
      ['GET', '/messages'],
      ['GET', '/audit'],
      ['GET', '/bans'],
      ['GET', '/join-requests'],
      ['POST', '/join'],
      ['POST', '/leave'],
      ['PATCH', '', { topic: 'x' }],
      ['DELETE', ''],
      ['POST', '/invitations', { username: eve.user.username }],
      ['POST', '/links', { expiresInSeconds: 600, maxUses: 1 }],
      ['POST', '/bans', { userId: owner.user.id }],
      ['DELETE', `/messages/1`],
      ['POST', `/members/${owner.user.id}/kick`, {}],
      ['PATCH', `/members/${owner.user.id}`, { role: 'member' }],
    ];
    for (const [method, suffix, body] of routes) {
      const res = await call(method, `/api/rooms/${roomId}${suffix}`, eve, body);
      expect([method, suffix, res.status, res.json.error?.code]).toEqual([method, suffix, 404, 'not_found']);
    }
    const everything = JSON.stringify((await call('GET', '/api/rooms', eve)).json);
    expect(everything).not.toContain(roomId);
    expect(everything).not.toContain(name);
    const [ownerWs, aliceWs] = await Promise.all([
      WsClient.connect(server.url, owner.token),
      WsClient.connect(server.url, alice.token),
    ]);
    await addMember(server.url, roomId, owner, alice);
    const existing = await call('POST', '/api/join-requests', eve, { roomName: name });
    // Only those who can answer a request hear of it.
    expect(await ownerWs.wait((f) => f.type === 'event' && f.kind === 'join_request.created')).toMatchObject({
      roomId,
      user: { id: eve.user.id },
    });
    await aliceWs.ping();
    expect(aliceWs.inbox.some((f) => f.kind === 'join_request.created')).toBe(false);
    await Promise.all([ownerWs.close(), aliceWs.close()]);
    const missing = await call('POST', '/api/join-requests', eve, { roomName: 'no-such-room-at-all' });
    expect([existing.status, missing.status]).toEqual([202, 202]);
    const requests = await api<{ requests: Array<{ id: string; user: { id: string } }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/join-requests`,
      { token: owner.token },
    );
    expect(requests.json.requests.map((r) => r.user.id)).toEqual([eve.user.id]);
    expect(
      (await call('POST', `/api/rooms/${roomId}/join-requests/${requests.json.requests[0]!.id}/approve`, owner)).status,
    ).toBe(204);
    expect((await call('GET', `/api/rooms/${roomId}/messages`, eve)).status).toBe(200);
  });

  it('deleting a room ends every subscription to it', async () => {
    const roomId = await newRoom(server.url, owner, 'public');
    await call('POST', `/api/rooms/${roomId}/join`, bob);
    const wb = await WsClient.connect(server.url, bob.token);
    await wb.request({ type: 'subscribe', id: 's', roomId });
    expect((await call('DELETE', `/api/rooms/${roomId}`, bob)).json.error?.code).toBe('forbidden');
    expect((await call('DELETE', `/api/rooms/${roomId}`, owner)).status).toBe(204);
    await wb.wait((f) => f.type === 'event' && f.kind === 'room.deleted');
    expect((await wb.request({ type: 'send', id: 'm', roomId, body: 'anyone?' })).code).toBe('not_found');
    expect((await call('GET', `/api/rooms/${roomId}`, owner)).status).toBe(404);
    await wb.close();
  });

  it('keeps a verifiable audit chain over 100 mixed actions and pinpoints an altered entry', async () => {
    const roomId = await newRoom(server.url, owner, 'private');
    await addMember(server.url, roomId, owner, alice, 'admin');
    for (const i of range(1, 20)) {
      await call('PATCH', `/api/rooms/${roomId}`, owner, { topic: `topic ${i}` });
      await addMember(server.url, roomId, alice, bob);
      await call('POST', `/api/rooms/${roomId}/members/${bob.user.id}/mute`, alice, { seconds: 30 });
      await call('POST', `/api/rooms/${roomId}/members/${bob.user.id}/kick`, owner, { reason: `round ${i}` });
    }
    const audit = await api<{
      entries: Array<{ position: number; action: string; actor: { id: string } }>;
      verified: boolean;
    }>(server.url, 'GET', `/api/rooms/${roomId}/audit`, { token: alice.token });
    expect(audit.json.verified).toBe(true);
    expect(audit.json.entries.length).toBeGreaterThanOrEqual(100);
    expect(audit.json.entries.map((e) => e.position)).toEqual(range(1, audit.json.entries.length));
    expect(new Set(audit.json.entries.map((e) => e.action))).toEqual(
      new Set([
        'room.created',
        'invitation.created',
        'invitation.accepted',
        'member.role',
        'room.updated',
        'member.muted',
        'member.kicked',
      ]),
    );
    expect((await call('GET', `/api/rooms/${roomId}/audit`, bob)).status).toBe(404);
    await server.query(
      `update audit_log set details = '{"reason":"nothing happened"}' where scope = '${roomId}' and position = 42`,
    );
    const broken = await api<{ verified: boolean; brokenAt: number }>(server.url, 'GET', `/api/rooms/${roomId}/audit`, {
      token: owner.token,
    });
    expect(broken.json).toMatchObject({ verified: false, brokenAt: 42 });
    await server.query(`delete from audit_log where scope = '${roomId}' and position = 42`);
    const gap = await api<{ brokenAt: number }>(server.url, 'GET', `/api/rooms/${roomId}/audit`, {
      token: owner.token,
    });
    expect(gap.json.brokenAt).toBe(43);
  });
});
