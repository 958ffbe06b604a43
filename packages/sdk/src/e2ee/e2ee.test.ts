import { DecryptError, Device, RoomCrypto } from '@salon/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, device, encryptedRoom, type Person, person, readable } from '../test/e2ee.js';
import { startTestServer, type TestServer } from '../test/servers.js';
import { fromBase64 } from './encoding.js';

let server: TestServer;
const people: Person[] = [];
const track = (...ps: Person[]) => {
  people.push(...ps);
  return ps;
};

beforeAll(async () => {
  server = await startTestServer({ mode: 'postgres' });
});
afterAll(async () => {
  closeAll(people);
  await server?.close();
});

const stored = async (roomId: string) =>
  (
    await server.query<{ seq: string; body: string | null; ciphertext: string | null; kind: string | null }>(
      `select seq, body, ciphertext, kind from messages where room_id = '${roomId}' order by seq`,
    )
  ).map((r) => ({ ...r, seq: Number(r.seq) }));

describe.each([84, 3] as const)('end-to-end encryption through the SDK, suite %i', (suite) => {
  it('E2E-1 E2E-2: three members exchange messages; a non-member and the server hold only ciphertext', async () => {
    const [alice, bob, carol, dave] = track(
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
      await person(server.url, 'dave'),
    );
    const room = await encryptedRoom(alice, [bob, carol], suite);
    expect(room).toMatchObject({ encrypted: true, suite });
    const markers = [`MARKER-a-${suite}`, `MARKER-b-${suite}`, `MARKER-c-${suite}`];
    await alice.client.send(room.id, markers[0]!);
    await bob.client.send(room.id, markers[1]!);
    await carol.client.send(room.id, markers[2]!);
    for (const p of [alice, bob, carol]) {
      expect(await readable(p, room.id)).toEqual(markers.map((m) => ['ok', m]));
    }
    // The server stores ciphertext only; commits are not shown as messages.
    const rows = await stored(room.id);
    expect(rows.filter((r) => r.kind === null)).toHaveLength(3);
    for (const row of rows) {
      expect(row.body).toBeNull();
      const bytes = Buffer.from(fromBase64(row.ciphertext!));
      for (const m of markers) expect(bytes.includes(Buffer.from(m))).toBe(false);
    }
    // A non-member: refused by the server, and the stored ciphertext means nothing to a group of its own (E2E-2).
    await expect(dave.client.history(room.id)).rejects.toMatchObject({
      code: expect.stringMatching(/forbidden|not_found/),
    });
    const fake = await RoomCrypto.create(dave.engine.device!, { roomId: room.id, suite, authenticate: () => true });
    const first = rows.find((r) => r.kind === null)!;
    await expect(fake.decrypt(fromBase64(first.ciphertext!))).rejects.toBeInstanceOf(DecryptError);

    // A deleted message's text leaves each member's local store too, not only the server.
    await alice.client.deleteMessage(room.id, first.seq);
    expect((await readable(bob, room.id))[0]).toEqual(['deleted', undefined]);
    const bobStore = Buffer.from((await bob.store.get(`room.${room.id}`))!);
    expect(bobStore.includes(Buffer.from(markers[0]!))).toBe(false);
    expect(bobStore.includes(Buffer.from(markers[1]!))).toBe(true);
  });

  it('E2E-3: after a kick, later messages do not decrypt with the removed member saved state', async () => {
    const [alice, bob, carol] = track(
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
    );
    const room = await encryptedRoom(alice, [bob, carol], suite);
    await alice.client.send(room.id, 'before the kick');
    expect(await readable(carol, room.id)).toEqual([['ok', 'before the kick']]);
    const saved = (await carol.engine.session(room.id))!.group!.export();
    const carolDevice = carol.engine.device!;

    await alice.client.kick(room.id, carol.user.id);
    const { seq } = await alice.client.send(room.id, 'MARKER-after-kick');
    expect(await readable(bob, room.id)).toEqual([
      ['ok', 'before the kick'],
      ['ok', 'MARKER-after-kick'],
    ]);
    const after = (await stored(room.id)).find((r) => r.seq === seq)!;
    const restored = await RoomCrypto.import(await Device.import(carolDevice.export()), saved, {
      authenticate: () => true,
    });
    await expect(restored.decrypt(fromBase64(after.ciphertext!))).rejects.toBeInstanceOf(DecryptError);
    await expect(carol.client.history(room.id)).rejects.toMatchObject({ fromServer: true });
  });

  it('E2E-11: two members commit at one epoch; one wins, the other catches up, all keep talking', async () => {
    const [alice, bob, carol, dave] = track(
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
      await person(server.url, 'dave'),
    );
    const room = await encryptedRoom(alice, [bob, carol], suite);
    // Dave accepts without opening the group, so adding his device is left to the members.
    const invitation = await alice.client.invite(room.id, dave.user.username);
    await dave.client.request('POST', `/api/invitations/${invitation.id}/accept`);
    const commits = async () => (await stored(room.id)).filter((r) => r.kind === 'commit').length;
    const before = await commits();
    await Promise.all([bob.engine.reconcile(room.id), carol.engine.reconcile(room.id)]);
    expect(await commits()).toBe(before + 1);
    expect(bob.engine.stats.staleCommits + carol.engine.stats.staleCommits).toBeGreaterThanOrEqual(1);
    // The claims used Dave's single-use KeyPackages; a top-up brings the count back above the low-water mark.
    const daveId = dave.engine.device!.ref.deviceId;
    expect(await dave.engine.api.availableKeyPackages(daveId, suite)).toBeLessThan(3);
    await dave.engine.topUp();
    expect(await dave.engine.api.availableKeyPackages(daveId, suite)).toBeGreaterThanOrEqual(3);
    await dave.engine.openRoom(room.id);
    await alice.client.send(room.id, 'all aboard');
    await dave.client.send(room.id, 'dave here');
    const epochs = new Set<bigint | undefined>();
    for (const p of [alice, bob, carol, dave]) {
      expect(await readable(p, room.id)).toEqual([
        ['ok', 'all aboard'],
        ['ok', 'dave here'],
      ]);
      epochs.add((await p.engine.session(room.id))!.epoch);
    }
    expect(epochs.size).toBe(1);
  });

  it('E2E-17: a member reports a message with proof; the moderator sees its text; a mismatch is unverified', async () => {
    const [alice, bob, carol] = track(
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
    );
    const room = await encryptedRoom(alice, [bob, carol], suite);
    const abusive = `abusive MARKER ${suite}`;
    const innocent = `innocent MARKER ${suite}`;
    const first = await bob.client.send(room.id, abusive);
    await bob.client.send(room.id, innocent);
    expect(await readable(carol, room.id)).toEqual([
      ['ok', abusive],
      ['ok', innocent],
    ]);
    // Carol reports the first; Alice (the owner) reads it in the reports, text included.
    const report = await carol.engine.report(room.id, first.seq, 'harassment');
    expect(report).toMatchObject({ seq: first.seq, text: abusive, verified: true, sender: { id: bob.user.id } });
    const listed = await alice.client.request<{ reports: Array<{ text: string }> }>(
      'GET',
      `/api/rooms/${room.id}/reports`,
    );
    expect(listed.reports.map((r) => r.text)).toEqual([abusive]);
    // A message whose relayed commitment does not match its content is never shown (the server swapped it).
    const rows = await stored(room.id);
    const last = rows.filter((r) => r.kind === null).at(-1)!;
    await server.query(
      `update messages set franking_tag = (select franking_tag from messages where room_id = '${room.id}' and seq = ${first.seq}) where room_id = '${room.id}' and seq = ${last.seq}`,
    );
    // Alice had not read the room yet: the first message reads, the one with the wrong commitment does not.
    expect(await readable(alice, room.id)).toEqual([
      ['ok', abusive],
      ['unverified', undefined],
    ]);
  });

  it('E2E-12: a new device of a member joins by external commit; older messages are undecryptable', async () => {
    const [alice, bob] = track(await person(server.url, 'alice'), await person(server.url, 'bob'));
    const room = await encryptedRoom(alice, [bob], suite);
    await alice.client.send(room.id, 'before the tablet');
    const [tablet] = track(await device(server.url, bob.user.username));
    // Its login registered the device with KeyPackages for both suites (3 single-use ones in these tests).
    const tabletId = tablet.engine.device!.ref.deviceId;
    expect(await tablet.engine.api.availableKeyPackages(tabletId, 84)).toBe(3);
    expect(await tablet.engine.api.availableKeyPackages(tabletId, 3)).toBe(3);
    await tablet.engine.openRoom(room.id);
    await alice.client.send(room.id, 'after the tablet');
    expect(await readable(tablet, room.id)).toEqual([
      ['undecryptable', undefined],
      ['ok', 'after the tablet'],
    ]);
    expect(await readable(bob, room.id)).toEqual([
      ['ok', 'before the tablet'],
      ['ok', 'after the tablet'],
    ]);
    await tablet.client.send(room.id, 'from the tablet');
    expect((await readable(alice, room.id)).at(-1)).toEqual(['ok', 'from the tablet']);
  });
});
