import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomCodec } from '../codec.js';
import { RealtimeConnection } from '../realtime/connection.js';
import { ServerList } from '../servers.js';
import { closeAll, encryptedRoom, type Person, person, readable } from '../test/e2ee.js';
import { eventually, startTestServer, type TestServer } from '../test/servers.js';
import { decodeJson, encodeJson, fromBase64, toBase64 } from './encoding.js';

let server: TestServer;
const people: Person[] = [];

beforeAll(async () => {
  server = await startTestServer({ mode: 'postgres' });
});
afterAll(async () => {
  closeAll(people);
  await server?.close();
});

describe('a server that tampers with stored messages', () => {
  it('E2E-4 E2E-6 E2E-8 E2E-9: altered, deleted and replayed messages show unverified or gap, and are reported', async () => {
    const [alice, bob, carol] = [
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
    ];
    people.push(alice, bob, carol);
    const room = await encryptedRoom(alice, [bob, carol], 3);
    const seqs: number[] = [];
    for (const text of ['one', 'two (altered)', 'three (deleted)', 'four']) {
      seqs.push((await alice.client.send(room.id, text)).seq);
    }
    const [one, two, three] = seqs as [number, number, number, number];
    const where = (seq: number) => `room_id = '${room.id}' and seq = ${seq}`;

    // One flipped byte near the end of the ciphertext (inside the encrypted content).
    const [row] = await server.query<{ ciphertext: string }>(`select ciphertext from messages where ${where(two)}`);
    const bytes = fromBase64(row!.ciphertext);
    bytes[bytes.length - 20]! ^= 0x01;
    await server.query(`update messages set ciphertext = '${toBase64(bytes)}' where ${where(two)}`);
    // One message withheld.
    await server.query(`delete from messages where ${where(three)}`);
    // One replayed under a new seq.
    await server.query(
      `with head as (update rooms set last_seq = last_seq + 1 where id = '${room.id}' returning last_seq)
       insert into messages (room_id, seq, sender_id, ciphertext, epoch, created_at)
       select room_id, (select last_seq from head), sender_id, ciphertext, epoch, now() from messages where ${where(one)}`,
    );

    for (const reader of [bob, carol]) {
      expect(await readable(reader, room.id)).toEqual([
        ['ok', 'one'],
        ['unverified', undefined],
        ['gap', 'four'],
        ['unverified', undefined],
      ]);
    }
    // The sender reads her own texts from her local store (forward secrecy: they were never re-decrypted) and the
    // replayed copy is flagged there too.
    expect(await readable(alice, room.id)).toEqual([
      ['ok', 'one'],
      ['ok', 'two (altered)'],
      ['ok', 'four'],
      ['unverified', undefined],
    ]);

    // docs/protocol.md names the security event `integrity_failure`; the server in progress records
    // `integrity.failed`. Either is accepted here until the two agree.
    const reports = async () =>
      server.query<{ details: string; user_id: string }>(
        `select details, user_id from security_events
         where kind in ('integrity_failure', 'integrity.failed') and room_id = '${room.id}'`,
      );
    await eventually(async () => (await reports()).length >= 7, 10_000, 'integrity reports');
    for (const r of await reports()) {
      for (const text of ['one', 'four', 'altered']) expect(r.details).not.toContain(text);
    }
    for (const reader of [bob, carol]) {
      expect((await reports()).filter((r) => r.user_id === reader.user.id).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('E2E-12: a device whose state fell behind the group rejoins by external commit and reads on', async () => {
    const [alice, bob, carol] = [
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
    ];
    people.push(alice, bob, carol);
    const room = await encryptedRoom(alice, [bob], 3);
    await alice.client.send(room.id, 'hello');
    expect(await readable(bob, room.id)).toEqual([['ok', 'hello']]);
    const name = `room.${room.id}`;
    const old = decodeJson<{ processedSeq: number; version: string }>((await bob.store.get(name))!);

    // Carol joins (a commit), then Bob's state is replaced by his older copy that claims to have processed it:
    // the commit is lost to him, as after restoring a backup.
    const invitation = await alice.client.invite(room.id, carol.user.username);
    await carol.client.accept(invitation.id);
    const [head] = await server.query<{ seq: string }>(
      `select max(seq) as seq from messages where room_id = '${room.id}' and kind = 'commit'`,
    );
    await bob.store.put(name, encodeJson({ ...old, processedSeq: Number(head!.seq), version: 'restored' }));
    await alice.client.send(room.id, 'after carol');

    const desyncs: string[] = [];
    bob.engine.on('desync', ({ reason }) => desyncs.push(reason));
    expect(await readable(bob, room.id)).toEqual([
      ['ok', 'hello'],
      ['undecryptable', undefined],
    ]);
    expect(desyncs).toHaveLength(1);
    expect(bob.engine.stats.rejoins).toBe(1);
    await alice.client.send(room.id, 'after the rejoin');
    await bob.client.send(room.id, 'bob is back');
    for (const reader of [bob, carol]) {
      expect((await readable(reader, room.id)).slice(-2)).toEqual([
        ['ok', 'after the rejoin'],
        ['ok', 'bob is back'],
      ]);
    }
  });

  it('E2E-8 E2E-11: a send refused as stale is withdrawn, re-encrypted and re-sent; nobody sees a gap', async () => {
    const [alice, bob, carol] = [
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
    ];
    people.push(alice, bob, carol);
    const room = await encryptedRoom(alice, [bob, carol], 3);
    await alice.client.send(room.id, 'first');
    // A codec that lets Carol win the epoch between Alice's encryption and the server receiving it.
    let raced = false;
    const racing: RoomCodec = {
      async encode(roomId, text) {
        const payload = await alice.engine.encode(roomId, text);
        if (!raced) {
          raced = true;
          await (await carol.engine.session(roomId))!.recover('commit_required');
        }
        return payload;
      },
      decode: (m) => alice.engine.decode(m),
      recover: (roomId, code, refused) => alice.engine.recover(roomId, code, refused),
    };
    const connection = new RealtimeConnection({
      servers: new ServerList(server.url),
      token: () => alice.client.token,
      codec: racing,
    });
    try {
      await connection.send(room.id, 'raced');
    } finally {
      connection.close();
    }
    expect(raced).toBe(true);
    for (const reader of [bob, carol]) {
      expect(await readable(reader, room.id)).toEqual([
        ['ok', 'first'],
        ['ok', 'raced'],
      ]);
    }
  });
});
