import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newUser, type TestUser, uniqueName, WsClient } from '../test/client.js';
import { addMember } from '../test/governance.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { ABILITIES, type Ability, can } from './permissions.js';

/** Who the caller is in the room. The last three hold no role, so the table grants them nothing. */
const STANDINGS = ['owner', 'admin', 'moderator', 'member', 'non-member', 'invited', 'banned'] as const;
type Standing = (typeof STANDINGS)[number];
const roleOf = (s: Standing) => (s === 'owner' || s === 'admin' || s === 'moderator' || s === 'member' ? s : null);

interface Room {
  id: string;
  /** A message sent by the target member (for message.delete_any). */
  targetSeq: number;
  /** A live invite link made by the owner (for invitation.revoke). */
  linkToken: string;
}
/** Abilities whose success changes the standings (or removes the room) for the probes after it. */
const RESHAPING = new Set<Ability>([
  'room.leave',
  'member.kick',
  'member.ban',
  'member.set_role',
  'room.transfer',
  'room.delete',
]);
type Outcome = { allowed: boolean; code?: string };
type Probe = (base: string, actor: TestUser, room: Room) => Promise<Outcome>;

const rest =
  (method: string, path: (room: Room) => string, body?: (room: Room) => unknown): Probe =>
  async (base, actor, room) => {
    const res = await api(base, method, path(room), { token: actor.token, body: body?.(room) });
    return { allowed: res.status < 300, code: res.json.error?.code };
  };

describe('authorization matrix: every ability x every standing, over REST and WebSocket', () => {
  let server: TestServer;
  let people: Record<Standing | 'target' | 'invitee', TestUser>;
  let sockets: Map<TestUser, WsClient>;

  const ws =
    (frame: (room: Room) => Record<string, unknown>): Probe =>
    async (_base, actor, room) => {
      const answer = await sockets.get(actor)!.request({ id: uniqueName('f'), ...frame(room) });
      return { allowed: answer.type === 'ack', code: answer.code };
    };

  /** Each ability's probes: the REST route and, where the contract has one, the WebSocket frame. */
  const PROBES: Record<Ability, Record<string, Probe>> = {
    'room.read': {
      rest: rest('GET', (r) => `/api/rooms/${r.id}/messages`),
      ws: ws((r) => ({ type: 'subscribe', roomId: r.id, since: 0 })),
    },
    'message.send': { ws: ws((r) => ({ type: 'send', roomId: r.id, body: 'probe' })) },
    'room.leave': { rest: rest('POST', (r) => `/api/rooms/${r.id}/leave`) },
    'invitation.create': {
      rest: rest(
        'POST',
        (r) => `/api/rooms/${r.id}/invitations`,
        () => ({ username: people.invitee.user.username }),
      ),
    },
    'invitation.revoke': { rest: rest('DELETE', (r) => `/api/rooms/${r.id}/links/${r.linkToken}`) },
    'link.create': {
      rest: rest(
        'POST',
        (r) => `/api/rooms/${r.id}/links`,
        () => ({ expiresInSeconds: 3600, maxUses: 5 }),
      ),
    },
    'member.kick': {
      rest: rest(
        'POST',
        (r) => `/api/rooms/${r.id}/members/${people.target.user.id}/kick`,
        () => ({}),
      ),
    },
    'member.ban': {
      rest: rest(
        'POST',
        (r) => `/api/rooms/${r.id}/bans`,
        () => ({ userId: people.target.user.id, reason: 'probe' }),
      ),
    },
    'member.mute': {
      rest: rest(
        'POST',
        (r) => `/api/rooms/${r.id}/members/${people.target.user.id}/mute`,
        () => ({ seconds: 60 }),
      ),
    },
    'message.delete_any': { rest: rest('DELETE', (r) => `/api/rooms/${r.id}/messages/${r.targetSeq}`) },
    'room.update': {
      rest: rest(
        'PATCH',
        (r) => `/api/rooms/${r.id}`,
        () => ({ topic: 'probed' }),
      ),
    },
    'member.set_role': {
      rest: rest(
        'PATCH',
        (r) => `/api/rooms/${r.id}/members/${people.target.user.id}`,
        () => ({ role: 'moderator' }),
      ),
    },
    'room.transfer': {
      rest: rest(
        'PATCH',
        (r) => `/api/rooms/${r.id}/members/${people.target.user.id}`,
        () => ({ role: 'owner' }),
      ),
    },
    'room.delete': { rest: rest('DELETE', (r) => `/api/rooms/${r.id}`) },
    'room.set_retention': {
      rest: rest(
        'PATCH',
        (r) => `/api/rooms/${r.id}`,
        () => ({ retentionSeconds: 3600 }),
      ),
    },
    'audit.view': { rest: rest('GET', (r) => `/api/rooms/${r.id}/audit`) },
  };

  beforeAll(async () => {
    server = await startTestServer();
    const names = [...STANDINGS, 'target', 'invitee'] as const;
    const users = await Promise.all(names.map((n) => newUser(server.url, n.replace('-', ''))));
    people = Object.fromEntries(names.map((n, i) => [n, users[i]!])) as typeof people;
    sockets = new Map(
      await Promise.all(users.map(async (u) => [u, await WsClient.connect(server.url, u.token)] as const)),
    );
  });
  afterAll(async () => {
    for (const s of sockets?.values() ?? []) await s.close();
    await server?.close();
  });

  /** A fresh room where every standing holds its place, so each probe starts from the same state. */
  async function freshRoom(visibility: 'public' | 'private'): Promise<Room> {
    const { owner } = people;
    const created = await api<{ room: { id: string } }>(server.url, 'POST', '/api/rooms', {
      token: owner.token,
      // Plaintext even when private, so the target can post a message to delete (encryption has its own tests).
      body: { name: uniqueName('matrix'), visibility, ...(visibility === 'private' ? { encrypted: false } : {}) },
    });
    const id = created.json.room.id;
    await addMember(server.url, id, owner, people.admin, 'admin');
    await addMember(server.url, id, owner, people.moderator, 'moderator');
    await addMember(server.url, id, owner, people.member);
    await addMember(server.url, id, owner, people.target);
    await api(server.url, 'POST', `/api/rooms/${id}/invitations`, {
      token: owner.token,
      body: { username: people.invited.user.username },
    });
    await api(server.url, 'POST', `/api/rooms/${id}/bans`, {
      token: owner.token,
      body: { userId: people.banned.user.id },
    });
    const link = await api<{ link: { token: string } }>(server.url, 'POST', `/api/rooms/${id}/links`, {
      token: owner.token,
      body: { expiresInSeconds: 3600, maxUses: 3 },
    });
    const sent = await sockets
      .get(people.target)!
      .request({ type: 'send', id: 'seed', roomId: id, body: 'target says hi' });
    return { id, targetSeq: sent.seq, linkToken: link.json.link.token };
  }

  for (const visibility of ['private', 'public'] as const) {
    it(`matches the permission table in a ${visibility} room`, async () => {
      const mismatches: string[] = [];
      let probes = 0;
      let room = await freshRoom(visibility);
      for (const ability of ABILITIES) {
        for (const standing of STANDINGS) {
          for (const [channel, probe] of Object.entries(PROBES[ability])) {
            const outcome = await probe(server.url, people[standing], room);
            probes++;
            // A refused probe changes nothing; one that changed who holds which place needs a fresh room.
            if (outcome.allowed && RESHAPING.has(ability)) room = await freshRoom(visibility);
            const role = roleOf(standing);
            const expected = can(role, ability);
            // Refusals: members lacking the ability get forbidden; outsiders get not_found in a private room.
            const expectedCode = expected
              ? undefined
              : role === null && visibility === 'private'
                ? 'not_found'
                : 'forbidden';
            if (outcome.allowed !== expected || outcome.code !== expectedCode) {
              mismatches.push(
                `${ability} by ${standing} over ${channel}: got ${JSON.stringify(outcome)}, want ${expectedCode ?? 'allowed'}`,
              );
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(probes).toBe(ABILITIES.reduce((n, a) => n + Object.keys(PROBES[a]).length, 0) * STANDINGS.length);
    });
  }
});
