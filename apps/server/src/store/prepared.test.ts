import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { type Database, openDatabase, rowsOf } from './db.js';
import { type PgText, pgArray, pgText } from './prepared.js';

const ECHO = {
  name: 'test_echo',
  text: 'select v, v is null as missing from unnest($1::text[]) with ordinality as t(v, i) order by i',
};
const TYPED = {
  name: 'test_typed',
  text: 'select $1::uuid, $2::bigint + 1, $3::boolean, $4::timestamptz = $5::timestamptz, cardinality($6::uuid[])',
};
const KEYED = { name: 'test_keyed', text: 'insert into prepared_t (k) select unnest($1::text[]) returning k' };

/**
 * Prepared statements (store/prepared.ts) on both drivers: the same text form in and out, planned once and
 * generically, and errors that leave the connection usable.
 */
describe.each(['embedded', 'postgres'] as const)('prepared statements (%s)', (mode) => {
  let database: Database;
  let testDb: TestDatabase | undefined;
  beforeAll(async () => {
    testDb = mode === 'postgres' ? await createTestDatabase() : undefined;
    database = await openDatabase(
      testDb ? { kind: 'postgres', url: testDb.url } : { kind: 'pglite', dataDir: null },
      () => undefined,
    );
    await database.db.execute(sql`create table prepared_t (k text primary key)`);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('carries any text through arrays unchanged: quotes, backslashes, braces, commas, the word NULL, unicode', async () => {
    const values: PgText[] = [
      'plain',
      'a "quoted" word',
      'back\\slash\\',
      '{a,b}',
      'NULL',
      '',
      ' padded ',
      'é 日本 🧪',
      null,
    ];
    const rows = await database.prepared(ECHO, [pgArray(values)]);
    expect(rows).toEqual(values.map((v) => [v, v === null ? 't' : 'f']));
    expect(await database.prepared(ECHO, [pgArray([])])).toEqual([]);
  });

  it('sends scalars in their text form and reads results as text', async () => {
    const id = '5b0e7c1e-7d4b-4c57-9c55-0d8a2b7d5d4e';
    const at = new Date('2026-11-30T01:02:03.456Z');
    const rows = await database.prepared(TYPED, [
      pgText(id),
      pgText(41),
      pgText(false),
      pgText(at),
      '2026-11-30 01:02:03.456+00',
      pgArray([id, id]),
    ]);
    expect(rows).toEqual([[id, '42', 'f', 't', '2']]);
    expect(pgText(undefined)).toBeNull();
    expect(pgArray([true, null, 3])).toBe('{"t",NULL,"3"}');
  });

  it('plans a statement once, generically, however many times and with whatever it runs', async () => {
    for (const n of [1, 5, 50, 2, 8, 1]) {
      const rows = await database.prepared(ECHO, [pgArray(Array.from({ length: n }, (_, i) => `v${i}`))]);
      expect(rows).toHaveLength(n);
    }
    // The embedded database has one connection; a pool may have parsed it on several: each plans it generically.
    const plans = rowsOf<{ generic_plans: string | number; custom_plans: string | number }>(
      await database.db.execute(
        sql`select generic_plans, custom_plans from pg_prepared_statements where name = ${ECHO.name}`,
      ),
    );
    if (mode === 'embedded') expect(plans).toHaveLength(1);
    for (const p of plans) expect(Number(p.custom_plans)).toBe(0);
    expect(plans.reduce((sum, p) => sum + Number(p.generic_plans), 0)).toBeGreaterThan(0);
  });

  it('answers a bad parameter with its error, then runs the same statement again (its first run included)', async () => {
    const bad = { name: 'test_first_run_fails', text: 'select $1::uuid as id' };
    const err = await database.prepared(bad, ['not a uuid']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '22P02' });
    expect(await database.prepared(bad, ['5b0e7c1e-7d4b-4c57-9c55-0d8a2b7d5d4e'])).toEqual([
      ['5b0e7c1e-7d4b-4c57-9c55-0d8a2b7d5d4e'],
    ]);
    const again = await database.prepared(TYPED, ['x', '1', 't', null, null, '{}']).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: '22P02' });
    expect(await database.prepared(TYPED, [null, '1', 't', null, null, '{}'])).toEqual([[null, '2', 't', null, '0']]);
  });

  it('fails a unique violation recognisably, storing nothing of the statement, and a syntax error cleanly', async () => {
    expect(await database.prepared(KEYED, [pgArray(['a', 'b'])])).toEqual([['a'], ['b']]);
    const err = await database.prepared(KEYED, [pgArray(['c', 'a'])]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505' });
    const syntax = await database.prepared({ name: 'test_syntax', text: 'selec 1' }, []).catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: '42601' });
    const keys = rowsOf<{ k: string }>(await database.db.execute(sql`select k from prepared_t order by k`));
    expect(keys.map((r) => r.k)).toEqual(['a', 'b']);
  });

  it('waits for a transaction in progress, like any query outside it', async () => {
    const order: string[] = [];
    const tx = database.db.transaction(async (t) => {
      await t.execute(sql`insert into prepared_t (k) values ('in-tx')`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('tx');
    });
    const outside = database.prepared(KEYED, [pgArray(['after-tx'])]).then(() => order.push('prepared'));
    await Promise.all([tx, outside]);
    const keys = rowsOf<{ k: string }>(await database.db.execute(sql`select k from prepared_t order by k`));
    expect(keys.map((r) => r.k)).toEqual(['a', 'after-tx', 'b', 'in-tx']);
    // Embedded, one connection: the statement ran after the transaction. PostgreSQL runs it beside it.
    if (mode === 'embedded') expect(order).toEqual(['tx', 'prepared']);
  });
});
