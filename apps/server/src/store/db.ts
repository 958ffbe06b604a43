import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { PgliteThread } from './pgliteThread.js';
import { type PgText, PREPARED_SETTINGS, type RunPrepared } from './prepared.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The drizzle database, whichever driver is underneath (PGlite or node-postgres). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs the hot paths' prepared statements (see prepared.ts). */
  prepared: RunPrepared;
  close(): Promise<void>;
}

export type DatabaseConfig = { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string };

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Any constant works; it only has to be the same for every Salon process on one database. */
const MIGRATION_LOCK_KEY = 7_261_532_001;

/** The rows of a raw `db.execute` result, whichever driver produced it. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/** Opens the database and applies the committed migrations. */
export async function openDatabase(config: DatabaseConfig, onPoolError: (err: Error) => void): Promise<Database> {
  if (config.kind === 'pglite') {
    if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
    const client = await PgliteThread.start(config.dataDir);
    try {
      const db = drizzlePglite({ client: client as unknown as PGlite, schema });
      await migratePglite(db, { migrationsFolder });
      return {
        db: db as unknown as Db,
        kind: 'pglite',
        prepared: (statement, params) => client.prepared(statement, params),
        close: () => client.close(),
      };
    } catch (err) {
      await client.close();
      throw err;
    }
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 10,
    connectionTimeoutMillis: 5000,
    options: Object.entries(PREPARED_SETTINGS)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(' '),
  });
  // An idle client losing its connection must not crash the process (the database may come back).
  pool.on('error', onPoolError);
  await migrateWithLock(pool);
  releaseOnFailedBegin(pool, onPoolError);
  const db = drizzleNodePg({ client: pool, schema });
  const prepared: RunPrepared = async (statement, params) => {
    const result = await pool.query<PgText[]>({ ...statement, values: params, rowMode: 'array', types: TEXT_RESULTS });
    return result.rows;
  };
  return { db: db as unknown as Db, kind: 'postgres', prepared, close: () => pool.end() };
}

/** Prepared statements' results stay in text form, as PGlite's thread returns them. */
const TEXT_RESULTS: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value };

/** Several processes may start at once on one database: only one migrates at a time. */
async function migrateWithLock(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrateNodePg(drizzleNodePg({ client, schema }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

const guarded = Symbol('salon.releaseOnFailedBegin');

/**
 * Makes pooled clients safe for drizzle's transactions when the database goes away. drizzle's node-postgres
 * transactions send BEGIN before their try/finally: when BEGIN fails the client is never released, and
 * `pool.end()` then waits for it forever. Each client's BEGIN is watched here: if it fails, the client is
 * released as broken (the pool drops it) before the error reaches drizzle.
 */
function releaseOnFailedBegin(pool: pg.Pool, onClientError: (err: Error) => void): void {
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient> | undefined;
  pool.connect = ((...args: unknown[]) => {
    // The callback form is the pool's own (pool.query): it never sends BEGIN, so it is passed through as is.
    if (args.length > 0) return connect(...args);
    return connect()!.then(guard);
  }) as typeof pool.connect;

  function guard(pooled: pg.PoolClient): pg.PoolClient {
    const client = pooled as pg.PoolClient & { [guarded]?: true };
    if (!client[guarded]) {
      client[guarded] = true;
      // A checked-out client whose connection drops between two statements of a transaction emits 'error' with
      // no listener of the pool's on it, which would crash the process; the next statement fails anyway.
      client.on('error', onClientError);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        const result = query(...args);
        const first = args[0] as string | { text?: string } | undefined;
        const text = typeof first === 'string' ? first : first?.text;
        if (text?.trim().toLowerCase() === 'begin' && result instanceof Promise) {
          return result.catch((err: unknown) => {
            client.release(err instanceof Error ? err : true);
            throw err;
          });
        }
        return result;
      }) as typeof client.query;
    }
    return client;
  }
}
