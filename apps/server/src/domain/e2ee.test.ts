// The MLS delivery service against real MLS clients (@salon/crypto): devices, the KeyPackage directory, the
// epoch compare-and-set, Welcomes, external commits, removals and integrity reports. SPEC rules: E2E-1, E2E-3.
import { Device, frankPayload, openFrankedPayload, RoomCrypto, type SuiteId } from '@salon/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newRoom, newUser, type TestUser, uniqueName, WsClient } from '../test/client.js';
import { addMember } from '../test/governance.js';
import { startTestServer, type TestServer } from '../test/harness.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A user's device, registered with the server. */
interface Client {
  who: TestUser;
  device: Device;
}

describe('E2EE delivery service', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let eve: TestUser;
  const keys = new Map<string, Uint8Array>();
  // Clients check credentials against the server's device list; here the list is read from the registrations.
  const opts = {
    authenticate: (ref: { deviceId: string }, key: Uint8Array) =>
      Buffer.from(keys.get(ref.deviceId) ?? []).equals(Buffer.from(key)),
  };
  const call = <T = Record<string, unknown>>(method: string, path: string, who: TestUser, body?: unknown) =>
    api<T>(server.url, method, path, { token: who.token, body });
  // biome-ignore lint/suspicious/noExplicitAny: error bodies are checked field by field.
  const code = (res: { json: any }) => res.json?.error?.code;

  async function enrol(who: TestUser): Promise<Client> {
    const device = Device.generate({ userId: who.user.id, deviceId: uniqueName('dev').replace('_', '-') });
    keys.set(device.ref.deviceId, device.signaturePublicKey);
    const res = await call('POST', '/api/devices', who, {
      id: device.ref.deviceId,
      name: 'test laptop',
      signatureKey: b64(device.signaturePublicKey),
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return { who, device };
  }

  async function upload(c: Client, suite: SuiteId, count: number, lastResort = false) {
    const batch = await c.device.createKeyPackages(suite, count, { lastResort });
    return call<{ available: number }>('POST', `/api/devices/${c.device.ref.deviceId}/key-packages`, c.who, {
      suite,
      keyPackages: batch.keyPackages.map(b64),
      ...(batch.lastResort ? { lastResort: b64(batch.lastResort) } : {}),
    });
  }

  /** Creates an encrypted room and its group with `owner` as the only member. */
  async function encryptedRoom(owner: Client, suite: SuiteId = 3) {
    const roomId = await newRoom(server.url, owner.who, 'private', { encrypted: true, suite });
    const room = await RoomCrypto.create(owner.device, { ...opts, roomId, suite });
    const created = await call('POST', `/api/rooms/${roomId}/group`, owner.who, {
      groupInfo: b64(await room.exportGroupInfo()),
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    return { roomId, room };
  }

  /** Sends a commit bundle to the delivery service. */
  function postCommit(
    who: TestUser,
    roomId: string,
    bundle: { commit: Uint8Array; groupInfo: Uint8Array; welcome?: Uint8Array; epoch: bigint },
    welcomeDevices?: string[],
  ) {
    return call<{ seq: number; epoch: number }>('POST', `/api/rooms/${roomId}/commits`, who, {
      epoch: Number(bundle.epoch),
      commit: b64(bundle.commit),
      groupInfo: b64(bundle.groupInfo),
      ...(bundle.welcome && welcomeDevices ? { welcome: b64(bundle.welcome), welcomeDevices } : {}),
    });
  }

  /** Alice's room with Bob added through the KeyPackage directory and joined from his Welcome. */
  async function roomWithBob(a: Client, b: Client) {
    const { roomId, room } = await encryptedRoom(a);
    await addMember(server.url, roomId, a.who, b.who);
    await upload(b, 3, 2);
    const claimed = await call<{ keyPackages: Array<{ deviceId: string; keyPackage: string }> }>(
      'POST',
      `/api/rooms/${roomId}/key-packages/claim`,
      a.who,
      { userId: b.who.user.id },
    );
    expect(claimed.json.keyPackages.map((k) => k.deviceId)).toEqual([b.device.ref.deviceId]);
    const bundle = await room.addMembers(claimed.json.keyPackages.map((k) => unb64(k.keyPackage)));
    expect((await postCommit(a.who, roomId, bundle, [b.device.ref.deviceId])).status).toBe(201);
    await room.mergePendingCommit();
    const welcomes = await call<{ welcomes: Array<{ id: string; welcome: string; seq: number }> }>(
      'GET',
      `/api/devices/${b.device.ref.deviceId}/welcomes?roomId=${roomId}`,
      b.who,
    );
    expect(welcomes.json.welcomes).toHaveLength(1);
    const bobRoom = await RoomCrypto.joinFromWelcome(b.device, unb64(welcomes.json.welcomes[0]!.welcome), opts);
    return { roomId, room, bobRoom, welcome: welcomes.json.welcomes[0]! };
  }

  const sendCipher = (ws: WsClient, roomId: string, ciphertext: Uint8Array, id: string) => {
    ws.send({ type: 'send', id, roomId, ciphertext: b64(ciphertext) });
    return ws.wait((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
  };

  beforeAll(async () => {
    server = await startTestServer({ mode: 'postgres' });
    [alice, bob, carol, eve] = await Promise.all(['alice', 'bob', 'carol', 'eve'].map((n) => newUser(server.url, n)));
  });
  afterAll(() => server?.close());

  it('creates private rooms encrypted (suite 84 by default, 3 on request); public rooms cannot be', async () => {
    const byDefault = await call<{ room: { encrypted: boolean; suite?: number } }>('POST', '/api/rooms', alice, {
      name: uniqueName('lab'),
      visibility: 'private',
    });
    expect(byDefault.json.room).toMatchObject({ encrypted: true, suite: 84 });
    const compact = await call('POST', '/api/rooms', alice, {
      name: uniqueName('lab'),
      visibility: 'private',
      suite: 3,
    });
    expect(compact.json.room).toMatchObject({ encrypted: true, suite: 3 });
    const optOut = await call('POST', '/api/rooms', alice, {
      name: uniqueName('lab'),
      visibility: 'private',
      encrypted: false,
    });
    expect(optOut.json.room).toMatchObject({ encrypted: false });
    expect(optOut.json.room).not.toHaveProperty('suite');
    for (const body of [
      { visibility: 'public', encrypted: true },
      { visibility: 'private', encrypted: false, suite: 3 },
      { visibility: 'private', suite: 1 },
    ]) {
      const res = await call('POST', '/api/rooms', alice, { name: uniqueName('lab'), ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(code(res)).toBe('invalid_request');
    }
    // The flag never changes: an encrypted room cannot be made public.
    const roomId = (byDefault.json.room as unknown as { id: string }).id;
    const patch = await call('PATCH', `/api/rooms/${roomId}`, alice, { visibility: 'public' });
    expect(code(patch)).toBe('invalid_request');
  });

  it('registers devices: idempotent for the same key, conflict for a taken id, listed by id or username', async () => {
    const a = await enrol(alice);
    const again = await call('POST', '/api/devices', alice, {
      id: a.device.ref.deviceId,
      name: 'test laptop',
      signatureKey: b64(a.device.signaturePublicKey),
    });
    expect(again.status).toBe(200);
    const stolen = await call('POST', '/api/devices', eve, {
      id: a.device.ref.deviceId,
      name: 'mine now',
      signatureKey: b64(Device.generate({ userId: eve.user.id, deviceId: 'x'.repeat(8) }).signaturePublicKey),
    });
    expect(stolen.status).toBe(409);
    for (const body of [
      { id: 'short', name: 'n', signatureKey: b64(new Uint8Array(32)) },
      { id: 'valid-device-id', name: 'n', signatureKey: b64(new Uint8Array(31)) },
      { id: 'valid/device/id', name: 'n', signatureKey: b64(new Uint8Array(32)) },
    ]) {
      expect(code(await call('POST', '/api/devices', alice, body)), JSON.stringify(body)).toBe('invalid_request');
    }
    for (const ref of [alice.user.id, alice.user.username]) {
      const listed = await call<{ user: { id: string }; devices: Array<{ id: string; fingerprint: string }> }>(
        'GET',
        `/api/users/${ref}/devices`,
        eve,
      );
      expect(listed.json.user.id).toBe(alice.user.id);
      expect(listed.json.devices.map((d) => d.id)).toContain(a.device.ref.deviceId);
      expect(listed.json.devices[0]!.fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    }
    expect((await call('GET', '/api/users/nobody-here/devices', eve)).status).toBe(404);
    // Only the owner may remove a device.
    expect((await call('DELETE', `/api/devices/${a.device.ref.deviceId}`, eve)).status).toBe(404);
  });

  it('KeyPackages: only valid packages of this device and suite; each single-use package claimed once', async () => {
    const a = await enrol(alice);
    const b = await enrol(bob);
    const { roomId } = await encryptedRoom(a);
    await addMember(server.url, roomId, a.who, b.who);
    // A package naming another device, a package of another suite, and garbage are all refused.
    const foreign = await a.device.createKeyPackages(3, 1, { lastResort: false });
    const refused = [
      { suite: 3, keyPackages: foreign.keyPackages.map(b64) },
      { suite: 84, keyPackages: (await b.device.createKeyPackages(3, 1, { lastResort: false })).keyPackages.map(b64) },
      { suite: 3, keyPackages: [b64(utf8('not a key package at all'))] },
    ];
    for (const body of refused) {
      const res = await call('POST', `/api/devices/${b.device.ref.deviceId}/key-packages`, bob, body);
      expect(code(res)).toBe('invalid_request');
    }
    // Nobody uploads to someone else's device.
    const batch = await b.device.createKeyPackages(3, 1, { lastResort: false });
    const intruder = await call('POST', `/api/devices/${b.device.ref.deviceId}/key-packages`, eve, {
      suite: 3,
      keyPackages: batch.keyPackages.map(b64),
    });
    expect(intruder.status).toBe(404);
    expect((await upload(b, 3, 4, true)).json.available).toBe(4);
    // Ten members claiming at once: four distinct single-use packages, then the last-resort one.
    const claims = await Promise.all(
      Array.from({ length: 10 }, () =>
        call<{ keyPackages: Array<{ keyPackage: string }> }>('POST', `/api/rooms/${roomId}/key-packages/claim`, alice, {
          userId: bob.user.id,
        }),
      ),
    );
    const packages = claims.map((c) => c.json.keyPackages[0]!.keyPackage);
    expect(new Set(packages).size).toBe(5);
    const left = await call<{ available: number }>(
      'GET',
      `/api/devices/${b.device.ref.deviceId}/key-packages?suite=3`,
      bob,
    );
    expect(left.json.available).toBe(0);
    // Strangers cannot drain packages: a non-member caller, or a target who is not a member.
    const byStranger = await call('POST', `/api/rooms/${roomId}/key-packages/claim`, eve, { userId: bob.user.id });
    expect(byStranger.status).toBe(404);
    const ofStranger = await call('POST', `/api/rooms/${roomId}/key-packages/claim`, alice, { userId: eve.user.id });
    expect(ofStranger.status).toBe(404);
  });

  it('the group is created once; GroupInfo must be of this room and epoch; non-members see nothing', async () => {
    const a = await enrol(alice);
    const { roomId, room } = await encryptedRoom(a);
    const twice = await call('POST', `/api/rooms/${roomId}/group`, alice, {
      groupInfo: b64(await room.exportGroupInfo()),
    });
    expect(twice.status).toBe(409);
    const other = await encryptedRoom(a);
    const foreign = await call('POST', `/api/rooms/${other.roomId}/commits`, alice, {
      epoch: 0,
      commit: b64((await room.commit()).commit),
      groupInfo: b64(await room.exportGroupInfo()),
    });
    expect(code(foreign)).toBe('invalid_request');
    await room.discardPendingCommit();
    const group = await call<{ group: { epoch: number; suite: number; groupInfo: string } }>(
      'GET',
      `/api/rooms/${roomId}/group`,
      alice,
    );
    expect(group.json.group).toMatchObject({ epoch: 0, suite: 3, commitRequired: false });
    expect((await call('GET', `/api/rooms/${roomId}/group`, eve)).status).toBe(404);
    const plain = await newRoom(server.url, alice, 'public');
    expect(code(await call('GET', `/api/rooms/${plain}/group`, alice))).toBe('invalid_request');
  });

  it('relays commits in seq order; a Welcome reaches only its device; messages carry their epoch', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId, room, bobRoom, welcome } = await roomWithBob(a, b);
    // Only Bob's device sees its Welcome.
    const peek = await call('GET', `/api/devices/${b.device.ref.deviceId}/welcomes`, alice);
    expect(peek.status).toBe(404);
    expect((await call('DELETE', `/api/devices/${b.device.ref.deviceId}/welcomes/${welcome.id}`, bob)).status).toBe(
      204,
    );
    const wsA = await WsClient.connect(server.url, alice.token);
    const wsB = await WsClient.connect(server.url, bob.token);
    for (const ws of [wsA, wsB]) {
      ws.send({ type: 'subscribe', id: 's', roomId, since: 0 });
      await ws.wait((f) => f.type === 'ack' && f.id === 's');
    }
    // The commit that added Bob is in the room's history as a commit of epoch 0.
    const replayed = await wsB.wait((f) => f.type === 'message' && f.seq === welcome.seq);
    expect(replayed).toMatchObject({ kind: 'commit', epoch: 0 });
    const marker = `isotope ratio ${uniqueName('m')}`;
    const ack = await sendCipher(wsB, roomId, await bobRoom.encrypt(utf8(marker)), 'm1');
    expect(ack.type, JSON.stringify(ack)).toBe('ack');
    const live = await wsA.wait((f) => f.type === 'message' && f.seq === ack.seq);
    expect(live.epoch).toBe(1);
    expect(live).not.toHaveProperty('body');
    const opened = await room.decrypt(unb64(live.ciphertext));
    expect(new TextDecoder().decode(opened.plaintext!)).toBe(marker);
    // E2E-1: the store holds ciphertext only.
    const rows = await server.query<{ body: string | null; ciphertext: string }>(
      `select body, ciphertext from messages where room_id = '${roomId}'`,
    );
    expect(rows.every((r) => r.body === null)).toBe(true);
    expect(rows.some((r) => Buffer.from(r.ciphertext, 'base64').toString('latin1').includes(marker))).toBe(false);
    // Plaintext, non-MLS bytes, an MLS commit and another room's message are all refused as messages.
    wsB.send({ type: 'send', id: 'p', roomId, body: 'plain' });
    expect((await wsB.wait((f) => f.id === 'p')).code).toBe('invalid_request');
    wsB.send({ type: 'send', id: 'g', roomId, ciphertext: b64(utf8('garbage bytes')) });
    expect((await wsB.wait((f) => f.id === 'g')).code).toBe('invalid_request');
    const other = await encryptedRoom(a);
    wsA.send({ type: 'send', id: 'o', roomId, ciphertext: b64(await other.room.encrypt(utf8('x'))) });
    expect((await wsA.wait((f) => f.id === 'o')).code).toBe('invalid_request');
    // Commits are the group's history: they cannot be deleted.
    expect(code(await call('DELETE', `/api/rooms/${roomId}/messages/${welcome.seq}`, alice))).toBe('invalid_request');
    wsA.close();
    wsB.close();
  });

  it('two commits at one epoch: exactly one wins, the other gets stale_epoch, retries and wins', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId, room, bobRoom } = await roomWithBob(a, b);
    const [fromAlice, fromBob] = await Promise.all([room.commit(), bobRoom.commit()]);
    const answers = await Promise.all([postCommit(alice, roomId, fromAlice), postCommit(bob, roomId, fromBob)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const loserIndex = answers.findIndex((r) => r.status === 409);
    expect(code(answers[loserIndex]!)).toBe('stale_epoch');
    const [winner, loser] = loserIndex === 0 ? [bobRoom, room] : [room, bobRoom];
    const winnerBundle = loserIndex === 0 ? fromBob : fromAlice;
    const loserUser = loserIndex === 0 ? alice : bob;
    await winner.mergePendingCommit();
    await loser.discardPendingCommit();
    await loser.processHandshake(winnerBundle.commit);
    expect(loser.epoch).toBe(winner.epoch);
    // A message made for the old epoch is refused the same way.
    const ws = await WsClient.connect(server.url, loserUser.token);
    const retry = await loser.commit();
    expect((await postCommit(loserUser, roomId, retry)).status).toBe(201);
    await loser.mergePendingCommit();
    await winner.processHandshake(retry.commit);
    const stale = await sendCipher(ws, roomId, await winner.encrypt(utf8('late')), 'late');
    expect(stale).toMatchObject({ type: 'ack' });
    const group = await call<{ group: { epoch: number } }>('GET', `/api/rooms/${roomId}/group`, alice);
    expect(group.json.group.epoch).toBe(Number(winner.epoch));
    ws.close();
  });

  it('refuses a message of an older epoch with stale_epoch', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId, room, bobRoom } = await roomWithBob(a, b);
    const old = await bobRoom.encrypt(utf8('made before the next commit'));
    const bundle = await room.commit();
    expect((await postCommit(alice, roomId, bundle)).status).toBe(201);
    const ws = await WsClient.connect(server.url, bob.token);
    const refused = await sendCipher(ws, roomId, old, 'old');
    expect(refused).toMatchObject({ type: 'error', code: 'stale_epoch', epoch: 2 });
    ws.close();
  });

  it('external commits: a member joins their own new device; nobody else can use their name', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId, room } = await roomWithBob(a, b);
    const group = await call<{ group: { groupInfo: string } }>('GET', `/api/rooms/${roomId}/group`, bob);
    const bobPhone = await enrol(bob);
    // Carol, a member, cannot pass off a commit for Bob's device; Eve, an outsider, cannot even try.
    await addMember(server.url, roomId, a.who, carol);
    const joined = await RoomCrypto.joinExternal(bobPhone.device, unb64(group.json.group.groupInfo), opts);
    const bundle = { commit: joined.commit, groupInfo: await joined.room.exportGroupInfo(), epoch: joined.epoch };
    const byCarol = await postCommit(carol, roomId, bundle);
    expect(byCarol.status, JSON.stringify(byCarol.json)).toBe(403);
    expect((await postCommit(eve, roomId, bundle)).status).toBe(404);
    // A device Bob never registered is refused too.
    const unlisted = Device.generate({ userId: bob.user.id, deviceId: 'never-registered' });
    keys.set('never-registered', unlisted.signaturePublicKey);
    const rogue = await RoomCrypto.joinExternal(unlisted, unb64(group.json.group.groupInfo), opts);
    const rogueBundle = {
      commit: rogue.commit,
      groupInfo: await rogue.room.exportGroupInfo(),
      epoch: rogue.epoch,
    };
    expect((await postCommit(bob, roomId, rogueBundle)).status).toBe(403);
    expect((await postCommit(bob, roomId, bundle)).status).toBe(201);
    await room.processHandshake(joined.commit);
    const wire = await room.encrypt(utf8('welcome, new phone'));
    expect(new TextDecoder().decode((await joined.room.decrypt(wire)).plaintext!)).toBe('welcome, new phone');
  });

  it('after a kick, messages wait for the commit that removes the member (E2E-3)', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId, room, bobRoom } = await roomWithBob(a, b);
    const saved = bobRoom.export();
    expect((await call('POST', `/api/rooms/${roomId}/members/${bob.user.id}/kick`, alice, {})).status).toBe(204);
    const group = await call<{ group: { commitRequired: boolean } }>('GET', `/api/rooms/${roomId}/group`, alice);
    expect(group.json.group.commitRequired).toBe(true);
    const ws = await WsClient.connect(server.url, alice.token);
    const refused = await sendCipher(ws, roomId, await room.encrypt(utf8('too early')), 'early');
    expect(refused).toMatchObject({ type: 'error', code: 'commit_required' });
    // The kicked member can no longer commit either.
    expect((await postCommit(bob, roomId, await bobRoom.commit())).status).toBe(404);
    const removal = await room.removeDevices([b.device.ref]);
    expect((await postCommit(alice, roomId, removal)).status).toBe(201);
    await room.mergePendingCommit();
    const secret = await room.encrypt(utf8('after the kick'));
    expect(await sendCipher(ws, roomId, secret, 'after')).toMatchObject({ type: 'ack' });
    const restored = await RoomCrypto.import(b.device, saved, opts);
    await expect(restored.decrypt(secret)).rejects.toThrow();
    ws.close();
  });

  it('removing a device marks its encrypted rooms; integrity reports become security events', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId } = await roomWithBob(a, b);
    expect((await call('DELETE', `/api/devices/${b.device.ref.deviceId}`, bob)).status).toBe(204);
    const group = await call<{ group: { commitRequired: boolean } }>('GET', `/api/rooms/${roomId}/group`, alice);
    expect(group.json.group.commitRequired).toBe(true);
    const report = await call('POST', `/api/rooms/${roomId}/integrity-reports`, alice, { seq: 2, reason: 'gap' });
    expect(report.status).toBe(202);
    const bad = await call('POST', `/api/rooms/${roomId}/integrity-reports`, alice, { reason: 'looks odd' });
    expect(code(bad)).toBe('invalid_request');
    expect((await call('POST', `/api/rooms/${roomId}/integrity-reports`, eve, { reason: 'gap' })).status).toBe(404);
    await expect
      .poll(async () =>
        server.query<{ details: string }>(
          `select details from security_events where kind = 'integrity.failed' and room_id = '${roomId}'`,
        ),
      )
      .toEqual([{ details: JSON.stringify({ reason: 'gap', seq: 2 }) }]);
  });
  it('franking (E2E-17): a genuine report verifies and lets a moderator act; altered text or a wrong key fail', async () => {
    const a = await enrol(alice);
    const b = await enrol(await newUser(server.url, 'bob'));
    const bob = b.who;
    const { roomId, room, bobRoom } = await roomWithBob(a, b);
    const ws = await WsClient.connect(server.url, bob.token);
    const abusive = `abusive ${uniqueName('m')}`;
    const innocent = `innocent ${uniqueName('m')}`;
    const sent: Array<{ seq: number; key: Uint8Array }> = [];
    for (const text of [abusive, innocent]) {
      const franked = frankPayload(text);
      ws.send({
        type: 'send',
        id: text,
        roomId,
        ciphertext: b64(await bobRoom.encrypt(franked.payload)),
        franking: b64(franked.commitment),
      });
      const ack = await ws.wait((f) => f.id === text);
      expect(ack.type, JSON.stringify(ack)).toBe('ack');
      sent.push({ seq: ack.seq, key: franked.key });
    }
    // Alice receives it with the commitment and checks it against what she decrypted.
    const history = await call<{ messages: Array<{ seq: number; ciphertext: string; franking: string }> }>(
      'GET',
      `/api/rooms/${roomId}/messages`,
      alice,
    );
    const received = history.json.messages.find((m) => m.seq === sent[0]!.seq)!;
    const opened = await room.decrypt(unb64(received.ciphertext));
    const { text, key } = openFrankedPayload(opened.plaintext!, unb64(received.franking));
    expect(text).toBe(abusive);
    // A report with altered text, or with the key of another message, is refused and recorded.
    const report = (body: Record<string, unknown>) => call('POST', `/api/rooms/${roomId}/reports`, alice, body);
    const altered = await report({ seq: sent[0]!.seq, text: `${abusive}!`, key: b64(key) });
    expect(altered.status).toBe(422);
    expect(code(altered)).toBe('report_unverified');
    expect(code(await report({ seq: sent[0]!.seq, text: abusive, key: b64(sent[1]!.key) }))).toBe('report_unverified');
    expect(code(await report({ seq: sent[1]!.seq, text: abusive, key: b64(key) }))).toBe('report_unverified');
    expect(
      (await call('POST', `/api/rooms/${roomId}/reports`, eve, { seq: sent[0]!.seq, text, key: b64(key) })).status,
    ).toBe(404);
    // The genuine report verifies; the owner (a moderator and above) sees the text and deletes the message.
    const genuine = await report({ seq: sent[0]!.seq, text: abusive, key: b64(key), reason: 'harassment' });
    expect(genuine.status, JSON.stringify(genuine.json)).toBe(201);
    expect(genuine.json.report).toMatchObject({
      seq: sent[0]!.seq,
      text: abusive,
      verified: true,
      sender: { id: bob.user.id },
    });
    const listed = await call<{ reports: Array<{ text: string }> }>('GET', `/api/rooms/${roomId}/reports`, alice);
    expect(listed.json.reports.map((r) => r.text)).toEqual([abusive]);
    expect((await call('GET', `/api/rooms/${roomId}/reports`, bob)).status).toBe(403);
    expect((await call('DELETE', `/api/rooms/${roomId}/messages/${sent[0]!.seq}`, alice)).status).toBe(204);
    // Unreported messages stay unreadable to the server: no table holds the innocent text.
    const dump = await server.query<{ row: string }>(
      `select x::text as row from messages x union all select y::text from message_reports y`,
    );
    expect(dump.some((r) => r.row.includes(innocent))).toBe(false);
    expect(dump.some((r) => r.row.includes(abusive))).toBe(true);
    await expect
      .poll(
        async () =>
          (
            await server.query<{ details: string }>(
              `select details from security_events where kind = 'integrity.failed' and room_id = '${roomId}'`,
            )
          ).filter((e) => e.details.includes('report_unverified')).length,
      )
      .toBe(3);
    ws.close();
  });
});
