import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, encryptedRoom, type Person, person, readable } from '../test/e2ee.js';
import {
  createTestDatabase,
  eventually,
  REDIS_URL,
  type ServerProcess,
  spawnServer,
  type TestDatabase,
} from '../test/servers.js';

const run = promisify(execFile);

/** The marker as plain text and base64-encoded at each of the three byte alignments (stable middle part). */
function forms(marker: string): string[] {
  const out = [marker];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), Buffer.from(marker)]).toString('base64');
    out.push(b64.slice(k === 0 ? 0 : 4, -4));
  }
  return out;
}

describe('no plaintext at rest or in transit (SPEC E2E-1)', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let monitor: Redis;
  const redisTraffic: string[] = [];
  const log: string[] = [];
  const people: Person[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    monitor = new Redis(REDIS_URL);
    // MONITOR sees every command any client sends to Redis, PUBLISH payloads included.
    const feed = await monitor.monitor();
    feed.on('monitor', (_time: string, args: string[]) => redisTraffic.push(args.join(' ')));
    server = await spawnServer({ DATABASE_URL: db.url, REDIS_URL, LOG_LEVEL: 'debug' });
    server.child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
    server.child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  });
  afterAll(async () => {
    closeAll(people);
    monitor?.disconnect();
    await server?.stop();
    await db?.drop();
  });

  it('E2E-1: a pg_dump, the Redis traffic and the server log hold none of the markers the clients read', async () => {
    const [alice, bob, carol] = [
      await person(server.url, 'alice'),
      await person(server.url, 'bob'),
      await person(server.url, 'carol'),
    ];
    people.push(alice, bob, carol);
    const room = await encryptedRoom(alice, [bob, carol], 84);
    const live: string[] = [];
    bob.client.on('message', (m) => m.text && live.push(m.text));
    await bob.client.subscribe(room.id);

    const markers = ['alice', 'bob', 'carol', 'alice again'].map(
      (who, i) => `MARKER-${i}-${who.replace(' ', '-')}-${Math.random().toString(36).slice(2)}`,
    );
    await alice.client.send(room.id, markers[0]!);
    await bob.client.send(room.id, markers[1]!);
    await carol.client.send(room.id, markers[2]!);
    await alice.client.send(room.id, markers[3]!);
    await eventually(() => live.length >= 3, 10_000, 'live messages');

    // The clients did read them (so the searches below could fail).
    for (const p of [alice, bob, carol]) expect(await readable(p, room.id)).toEqual(markers.map((m) => ['ok', m]));
    expect(live).toEqual(expect.arrayContaining([markers[0], markers[2], markers[3]]));
    const redisText = redisTraffic.join('\n');
    expect(redisText).toContain(room.id); // the monitor did see the room's fan-out

    const { stdout: dump } = await run('pg_dump', ['--no-owner', db.url], { maxBuffer: 256 * 1024 * 1024 });
    expect(dump).toContain(room.id);
    const logText = log.join('');
    expect(logText.length).toBeGreaterThan(0);
    for (const marker of markers) {
      for (const form of forms(marker)) {
        expect(dump, 'database dump').not.toContain(form);
        expect(redisText, 'Redis traffic').not.toContain(form);
        expect(logText, 'server log').not.toContain(form);
      }
    }
  });
});
