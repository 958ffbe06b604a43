import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalonClient } from '../client.js';
import type { SalonError } from '../errors.js';
import {
  api,
  createTestDatabase,
  eventually,
  freePort,
  newRoom,
  newUser,
  REDIS_URL,
  type ServerProcess,
  sleep,
  spawnServer,
  storedMessages,
  type TestDatabase,
} from '../test/servers.js';
import type { SendResult } from './outbox.js';

type Outcome = { body: string; ack?: SendResult; error?: SalonError };

/**
 * Node failures as they happen in production: server processes on one PostgreSQL and Redis, one killed with
 * SIGKILL (sockets drop, in-flight sends are lost or half done) and one stopped with SIGTERM (close 1012).
 */
describe('failover across server processes', () => {
  let db: TestDatabase;
  let portA: number;
  let a: ServerProcess;
  let b: ServerProcess;
  let restarted: ServerProcess | undefined;
  const env = () => ({ DATABASE_URL: db.url, REDIS_URL });

  beforeAll(async () => {
    db = await createTestDatabase();
    portA = await freePort();
    [a, b] = await Promise.all([spawnServer({ ...env(), PORT: String(portA) }), spawnServer(env())]);
  });
  afterAll(async () => {
    await Promise.all([a, b, restarted].map((s) => s?.kill().catch(() => undefined)));
    await db?.drop();
  });

  it('delivers every acked seq once and in order, and stores every send at most once, across a kill and a restart', async () => {
    const [alice, bob] = await Promise.all([newUser(a.url, 'alice'), newUser(a.url, 'bob')]);
    const roomId = await newRoom(a.url, alice);
    expect((await api(a.url, 'POST', `/api/rooms/${roomId}/join`, { token: bob.token })).status).toBe(200);
    // Both start on A; the list lets them move to B when A dies, then back to A's successor when B stops.
    const options = { servers: [a.url, b.url], backoff: { baseMs: 50, capMs: 500 }, sendTimeoutMs: 30_000 };
    const reader = new SalonClient({ ...options, token: bob.token });
    const sender = new SalonClient({ ...options, token: alice.token });
    const delivered: number[] = [];
    reader.on('message', (m) => m.roomId === roomId && delivered.push(m.seq));
    await reader.subscribe(roomId, { since: 0 });

    const outcomes: Array<Promise<Outcome>> = [];
    let restarting: Promise<ServerProcess> | undefined;
    for (let i = 1; i <= 120; i++) {
      const body = `m${i}`;
      outcomes.push(
        sender.send(roomId, body).then(
          (ack) => ({ body, ack }),
          (error) => ({ body, error }),
        ),
      );
      if (i === 40) {
        await a.kill();
        restarting = spawnServer({ ...env(), PORT: String(portA) });
      }
      if (i === 80) {
        restarted = await restarting!;
        await b.stop();
      }
      await sleep(8);
    }
    const settled = await Promise.all(outcomes);

    const rows = await storedMessages(db.url, roomId);
    const stored = new Map(rows.map((r) => [r.body, Number(r.seq)]));
    // Never duplicated: each body at most once.
    expect(stored.size).toBe(rows.length);
    // Acked means stored once, under the acked seq.
    const acked = settled.filter((o) => o.ack);
    for (const o of acked) expect(stored.get(o.body), o.body).toBe(o.ack!.seq);
    // A send may be rejected (never silently dropped), but with a healthy node back well within the give-up
    // timeout, the re-sends after each reconnect must have landed every one of them.
    expect(settled.filter((o) => o.error).map((o) => `${o.body}: ${o.error!.code}`)).toEqual([]);
    expect(acked.length).toBe(120);

    const seqs = rows.map((r) => Number(r.seq));
    await eventually(() => delivered.length >= seqs.length, 15_000, 'every stored message delivered');
    await sleep(100);
    expect(delivered).toEqual(seqs);
    reader.close();
    sender.close();
  });
});
