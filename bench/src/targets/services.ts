import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';

/** Local PostgreSQL (trust auth for `postgres`) and Redis, as the repository's CI sets them up. */
export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function adminQuery<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  /** Pids of the PostgreSQL backends currently connected to this database. */
  backendPids(): Promise<number[]>;
  /** VACUUM ANALYZE after provisioning: autovacuum then has nothing to do on the new tables during the ramps. */
  vacuumAnalyze(): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh database `salon_bench_<random>`, dropped (with force) by `drop`. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `salon_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async backendPids() {
      const rows = await adminQuery<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
      return rows.map((r) => r.pid);
    },
    async vacuumAnalyze() {
      const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query('vacuum analyze');
      } finally {
        await client.end();
      }
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/** The pid of the Redis server behind `url` (from `INFO server`), or null when it does not answer. */
export function redisPid(url = REDIS_URL): Promise<number | null> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    let text = '';
    const done = (pid: number | null) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(2000, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      const match = /process_id:(\d+)/.exec(text);
      if (match) done(Number(match[1]));
    });
  });
}

/** Whether `pid` is a process running on this machine (Redis may be remote in theory). */
export async function localPid(pid: number | null): Promise<number | null> {
  if (pid === null) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
