// Crypto-shredding: bodies of plaintext rooms are sealed at rest under per-period keys kept out of backups, so
// a message's expiry reaches the copies in backups taken before it expired.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { messages } from '../store/schema.js';
import { api, newRoom, newUser, type TestUser, uniqueName, WsClient } from '../test/client.js';
import { startTestServer, type TestServer } from '../test/harness.js';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../test/postgres.js';
import { BodySealer, masterKeyFrom, parseMasterKey } from './sealing.js';

const run = promisify(execFile);

/** Every row of every table of Salon's schemas as text: what someone holding the database would read. */
async function everyColumn(url: string): Promise<string> {
  const tables = await queryDatabase<{ s: string; t: string }>(
    url,
    `select table_schema as s, table_name as t from information_schema.tables
     where table_schema in ('public', 'salon_keys', 'drizzle') and table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { s, t } of tables) {
    const rows = await queryDatabase<{ row: string }>(url, `select x::text as row from "${s}"."${t}" x`);
    parts.push(...rows.map((r) => r.row));
  }
  expect(tables.map((t) => t.t)).toContain('messages');
  return parts.join('\n');
}

async function restore(dumpFile: string, into: TestDatabase): Promise<void> {
  await run('psql', ['--quiet', '--set', 'ON_ERROR_STOP=1', '--dbname', into.url, '--file', dumpFile]);
}

describe('crypto-shredding of expired bodies', () => {
  const masterKey = randomBytes(32).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'salon-shred-'));
  let live: TestDatabase;
  const restored: TestDatabase[] = [];
  let server: TestServer;
  let owner: TestUser;

  beforeAll(async () => {
    live = await createTestDatabase();
    server = await startTestServer({
      config: {
        database: { kind: 'postgres', url: live.url },
        masterKey,
        keyPeriodSeconds: 1,
        purgeIntervalMs: 200,
      },
    });
    owner = await newUser(server.url, 'owner');
  });
  afterAll(async () => {
    await server?.close();
    for (const db of [live, ...restored]) await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a backup taken before expiry, restored after the purge, yields no expired body; the others read', async () => {
    const roomId = await newRoom(server.url, owner, 'public');
    const tag = randomBytes(6).toString('hex');
    const bodies = { expiring: `spectrum A ${tag}`, lasting: `spectrum B ${tag}`, later: `spectrum C ${tag}` };
    const ws = await WsClient.connect(server.url, owner.token);
    const seqs: Record<string, number> = {};
    for (const [name, ttl] of [
      ['expiring', 4],
      ['lasting', undefined],
      ['later', 3600],
    ] as const) {
      const ack = await ws.request({
        type: 'send',
        id: name,
        roomId,
        body: bodies[name],
        ...(ttl ? { ttlSeconds: ttl } : {}),
      });
      seqs[name] = ack.seq;
    }
    ws.close();
    // Read at once: the expiring message lives 4 s, and the checks and dumps below take a good part of that on a busy machine.
    const [{ body_key_id: expiringKey }] = await queryDatabase<{ body_key_id: string }>(
      live.url,
      'select body_key_id from messages where room_id = $1 and seq = $2',
      [roomId, seqs.expiring],
    );
    // At rest, no body is readable, before any expiry.
    const atRest = await everyColumn(live.url);
    for (const body of Object.values(bodies)) expect(atRest).not.toContain(body);
    const history = await api<{ messages: Array<{ body: string }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/messages`,
      {
        token: owner.token,
      },
    );
    expect(history.json.messages.map((m) => m.body)).toEqual(Object.values(bodies));

    // The documented backup: everything but the key schema. A second dump keeps the keys, to show why not.
    const backup = join(dir, 'backup.sql');
    const keysBefore = join(dir, 'keys-before.sql');
    await run('pg_dump', ['--exclude-schema=salon_keys', '--file', backup, live.url]);
    await run('pg_dump', ['--schema=salon_keys', '--data-only', '--file', keysBefore, live.url]);
    for (const body of Object.values(bodies)) expect(readFileSync(backup, 'utf8')).not.toContain(body);

    // The purge deletes the row and, once its period is over, destroys the key.
    await expect
      .poll(
        async () =>
          (await queryDatabase(live.url, 'select 1 from salon_keys.room_keys where id = $1', [expiringKey])).length,
        { timeout: 20_000, interval: 250 },
      )
      .toBe(0);

    // Restore the backup into a fresh database, with the live key store beside it.
    const liveKeys = join(dir, 'keys-now.sql');
    await run('pg_dump', ['--schema=salon_keys', '--data-only', '--file', liveKeys, live.url]);
    const afterPurge = await createTestDatabase();
    restored.push(afterPurge);
    await restore(backup, afterPurge);
    await run('pg_dump', ['--schema=salon_keys', '--schema-only', '--file', join(dir, 'keys-ddl.sql'), live.url]);
    await restore(join(dir, 'keys-ddl.sql'), afterPurge);
    await restore(liveKeys, afterPurge);
    const everything = await everyColumn(afterPurge.url);
    for (const body of Object.values(bodies)) expect(everything).not.toContain(body);

    const opened = await openWith(afterPurge.url, masterKey, roomId);
    // The backup still holds the expired row, but nothing can open it any more.
    expect(opened.get(seqs.expiring)).toEqual({ present: true, body: null });
    expect(opened.get(seqs.lasting)).toEqual({ present: true, body: bodies.lasting });
    expect(opened.get(seqs.later)).toEqual({ present: true, body: bodies.later });

    // Control: had the keys been in the backup, the expired body would still be readable.
    const withOldKeys = await createTestDatabase();
    restored.push(withOldKeys);
    await restore(backup, withOldKeys);
    await restore(join(dir, 'keys-ddl.sql'), withOldKeys);
    await restore(keysBefore, withOldKeys);
    expect((await openWith(withOldKeys.url, masterKey, roomId)).get(seqs.expiring)?.body).toBe(bodies.expiring);
  });

  it('seals each body to its room and seq; a moved, altered or foreign-keyed body opens to nothing', async () => {
    const roomId = await newRoom(server.url, owner, 'public');
    const ws = await WsClient.connect(server.url, owner.token);
    const first = await ws.request({ type: 'send', id: 'a', roomId, body: 'first body' });
    const second = await ws.request({ type: 'send', id: 'b', roomId, body: 'second body' });
    ws.close();
    // Swap the sealed bodies of two rows, and flip a byte of a third.
    await queryDatabase(
      live.url,
      `update messages m set sealed_body = o.sealed_body from messages o
       where m.room_id = $1 and o.room_id = $1 and m.seq = $2 and o.seq = $3`,
      [roomId, first.seq, second.seq],
    );
    const history = await api<{ messages: Array<{ seq: number; body?: string }> }>(
      server.url,
      'GET',
      `/api/rooms/${roomId}/messages`,
      { token: owner.token },
    );
    expect(history.json.messages.find((m) => m.seq === first.seq)?.body).toBeUndefined();
    expect(history.json.messages.find((m) => m.seq === second.seq)?.body).toBe('second body');
    // Another master key cannot unwrap the room keys at all.
    await expect(openWith(live.url, randomBytes(32).toString('base64'), roomId)).rejects.toThrow(/master key/);
  });

  it('rotates the master key: re-wrapped keys open with the new one alone', async () => {
    const roomId = await newRoom(server.url, owner, 'public');
    const ws = await WsClient.connect(server.url, owner.token);
    const sent = await ws.request({ type: 'send', id: 'r', roomId, body: `rotated ${uniqueName('x')}` });
    ws.close();
    const next = randomBytes(32);
    const database = await openDatabase({ kind: 'postgres', url: live.url }, () => undefined);
    try {
      const rotating = new BodySealer(database.db, masterKeyFrom(next), [parseMasterKey(masterKey)]);
      expect(await rotating.rewrapAll()).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
    const opened = await openWith(live.url, Buffer.from(next).toString('base64'), roomId);
    expect(opened.get(sent.seq)?.body).toMatch(/^rotated /);
  });
});

/** Opens a room's stored bodies with a master key, as a Salon process on that database would. */
async function openWith(url: string, masterKey: string, roomId: string) {
  const database = await openDatabase({ kind: 'postgres', url }, () => undefined);
  try {
    const { eq } = await import('drizzle-orm');
    const rows = await database.db.select().from(messages).where(eq(messages.roomId, roomId));
    const sealer = new BodySealer(database.db, parseMasterKey(masterKey));
    await sealer.openAll(rows);
    return new Map(rows.map((r) => [r.seq, { present: true, body: r.body }]));
  } finally {
    await database.close();
  }
}
