import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { type Database, openDatabase } from './db.js';
import { insertPredicted, type PredictedHead } from './messages.js';

const LOW = '00000000-0000-4000-8000-000000000001';
const HIGH = 'ffffffff-ffff-4fff-bfff-fffffffffffe';
const USER = '11111111-1111-4111-8111-111111111111';
const ROOM = { encrypted: false, retentionSeconds: null, mlsEpoch: null, commitRequired: false };

/** A room of a predicted statement: its seq expected at `after`, one send by USER. */
const head = (roomId: string, after: number): PredictedHead => ({
  roomId,
  after,
  last: after + 1,
  room: ROOM,
  senderIds: [USER],
});

/** A plaintext message row by USER (no body: the statement does not look at it). */
const row = (roomId: string, seq: number, createdAt: Date, clientMsgId: string | null = null) => ({
  roomId,
  seq,
  senderId: USER,
  sealedBody: null,
  bodyKeyId: null,
  ciphertext: null,
  epoch: null,
  frankingTag: null,
  frankingBinding: null,
  clientMsgId,
  createdAt,
  expiresAt: null,
});

/**
 * Statements that lock several rooms lock them in id order, whatever order their input lists them in: two
 * processes sending to the same rooms (a room's members spread over both) then wait for each other instead of
 * deadlocking. PostgreSQL only: the embedded database has one connection.
 */
describe('room locks in id order (postgres)', () => {
  let testDb: TestDatabase;
  let database: Database;
  const clients: pg.Client[] = [];
  const client = async () => {
    const c = new pg.Client({ connectionString: testDb.url });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ kind: 'postgres', url: testDb.url }, () => undefined);
    const setup = await client();
    await setup.query(`insert into users (id, username, display_name, password_hash) values ($1, 'u', 'u', 'x')`, [
      USER,
    ]);
    // HIGH first: in the table's physical order, and first in the statement's input below.
    for (const [id, name] of [
      [HIGH, 'high'],
      [LOW, 'low'],
    ]) {
      await setup.query(`insert into rooms (id, name, visibility) values ($1, $2, 'public')`, [id, name]);
      await setup.query(`insert into room_members (room_id, user_id, role) values ($1, $2, 'member')`, [id, USER]);
    }
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await database?.close();
    await testDb?.drop();
  });

  it('a predicted send over two rooms locks the lower id first, then waits for the other, then stores both', async () => {
    const holder = await client();
    await holder.query('begin');
    await holder.query('select id from rooms where id = $1 for update', [HIGH]);

    const now = new Date();
    const sending = insertPredicted(
      database.prepared,
      [row(HIGH, 1, now, `c-${HIGH}`), row(LOW, 1, now, `c-${LOW}`)],
      [head(HIGH, 0), head(LOW, 0)],
      ['member'],
      now,
    );

    // Wait until the statement is blocked on HIGH's lock.
    const watcher = await client();
    for (let i = 0; ; i++) {
      const { rows } = await watcher.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0].n > 0) break;
      if (i > 500) throw new Error('the predicted statement never waited for the held room');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // By then it holds LOW: it took the rooms in id order, not in its input's or the table's order.
    await watcher.query('begin');
    await expect(watcher.query('select id from rooms where id = $1 for update nowait', [LOW])).rejects.toMatchObject({
      code: '55P03',
    });
    await watcher.query('rollback');

    await holder.query('commit');
    const outcome = await sending;
    expect([...outcome.stored].sort()).toEqual([LOW, HIGH]);
    expect(outcome.lastSeqs.size).toBe(0);
    const { rows } = await watcher.query('select id, last_seq from rooms order by id');
    expect(rows).toEqual([
      { id: LOW, last_seq: '1' },
      { id: HIGH, last_seq: '1' },
    ]);
    const stored = await watcher.query('select room_id, seq from messages order by room_id');
    expect(stored.rows).toEqual([
      { room_id: LOW, seq: '1' },
      { room_id: HIGH, seq: '1' },
    ]);
  });

  it('stores nothing of a room whose seq moved, and reports the seq its lock found', async () => {
    const now = new Date();
    // Both rooms are at seq 1 (the test above): LOW predicted right, HIGH as if another process had not sent.
    const outcome = await insertPredicted(
      database.prepared,
      [row(LOW, 2, now), row(HIGH, 1, now)],
      [head(LOW, 1), head(HIGH, 0)],
      ['member'],
      now,
    );
    expect([...outcome.stored]).toEqual([LOW]);
    expect([...outcome.lastSeqs]).toEqual([[HIGH, 1]]);
    const watcher = await client();
    const { rows } = await watcher.query('select room_id, seq from messages where room_id = $1 order by seq', [HIGH]);
    expect(rows).toEqual([{ room_id: HIGH, seq: '1' }]);
  });
});
