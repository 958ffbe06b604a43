import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteThread } from './pgliteThread.js';

/** The embedded database on its own thread: the same answers, errors and transactions as PGlite in process. */
describe('PGlite on its own thread', () => {
  let db: PgliteThread;
  beforeAll(async () => {
    db = await PgliteThread.start(null);
    await db.query('create table t (id int primary key, v text, at timestamptz)');
  });
  afterAll(() => db?.close());

  it('answers queries with parameters, in both row modes, dates left as text for drizzle', async () => {
    await db.query('insert into t values ($1, $2, $3)', [1, 'one', '2026-01-02T03:04:05Z']);
    const objects = await db.query('select id, v, at from t where id = $1', [1]);
    expect(objects.rows).toEqual([{ id: 1, v: 'one', at: expect.stringMatching(/^2026-01-02 03:04:05/) }]);
    expect(objects.fields.map((f) => f.name)).toEqual(['id', 'v', 'at']);
    const arrays = await db.query('select id, v from t where id = $1', [1], { rowMode: 'array', parsers: {} });
    expect(arrays.rows).toEqual([[1, 'one']]);
    expect((await db.query('update t set v = v where id > 0')).affectedRows).toBe(1);
  });

  it("passes PostgreSQL's error fields back (a unique violation is recognisable) and goes on", async () => {
    const err = await db.query('insert into t values (1, $1, null)', ['again']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505' });
    expect((err as Error).message).toContain('duplicate key');
    expect((await db.query('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
  });

  it('holds queries made outside a transaction until it ends, and rolls back on failure', async () => {
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await db.transaction(async (t) => {
      await t.query('insert into t values (2, $1, null)', ['two']);
      // A query from elsewhere while the transaction is open: it must wait, not run inside it.
      outside = db.query('select count(*)::int as n from t').then((r) => {
        order.push(`outside saw ${(r.rows[0] as { n: number }).n}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('commit');
    });
    await outside;
    expect(order).toEqual(['commit', 'outside saw 2']);

    const failed = await db
      .transaction(async (t) => {
        await t.query('insert into t values (3, $1, null)', ['three']);
        throw new Error('changed my mind');
      })
      .catch((e: Error) => e.message);
    expect(failed).toBe('changed my mind');
    expect((await db.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('sets up its session: prepared statements planned generically, WAL segments not zero-filled', async () => {
    const show = async (name: string) => Object.values((await db.query(`show ${name}`)).rows[0] as object)[0];
    expect(await show('plan_cache_mode')).toBe('force_generic_plan');
    expect(await show('wal_init_zero')).toBe('off');
  });

  it('refuses queries once closed, with a clear error', async () => {
    const other = await PgliteThread.start(null);
    await other.close();
    await expect(other.query('select 1')).rejects.toThrow(/embedded database stopped/);
  });
});
