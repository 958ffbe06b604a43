import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Salon, startSalon } from '../app.js';
import { type Config, loadConfig } from '../config.js';
import { relaxedLimits } from '../domain/limits.js';
import { rowsOf } from '../store/db.js';
import { createTestDatabase, REDIS_URL, type TestDatabase } from './postgres.js';
import { storedMessagesIn, TEST_MASTER_KEY } from './stored.js';

export type Mode = 'embedded' | 'postgres' | 'postgres+redis';
export const MODES: readonly Mode[] = ['embedded', 'postgres', 'postgres+redis'];

export interface TestServer {
  url: string;
  salon: Salon;
  /** Runs SQL against the server's own store (PGlite or PostgreSQL). */
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
  /** A room's stored messages with their bodies opened (they are sealed at rest). */
  stored(roomId: string): Promise<Array<{ seq: number; body: string | null }>>;
  close(): Promise<void>;
}

/**
 * A real Salon on a free port, in-process: PGlite in memory, or a fresh PostgreSQL database (+ Redis). A
 * `config.database` given by the caller is used as it is (e.g. a second process on the same database).
 */
export async function startTestServer(opts: { mode?: Mode; config?: Partial<Config> } = {}): Promise<TestServer> {
  const mode = opts.mode ?? 'embedded';
  const testDb = mode === 'embedded' || opts.config?.database ? null : await createTestDatabase();
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
    database: testDb ? { kind: 'postgres', url: testDb.url } : { kind: 'pglite', dataDir: null },
    // Each in-process server gets its own master key; nothing is written to the working folder.
    masterKey: TEST_MASTER_KEY,
    masterKeyFile: null,
    redisUrl: mode === 'postgres+redis' ? REDIS_URL : null,
    // Tests register hundreds of users from one address; the protection tests pass the real defaults.
    limits: relaxedLimits(),
    ...opts.config,
  };
  let salon: Salon;
  try {
    salon = await startSalon(config);
  } catch (err) {
    await testDb?.drop();
    throw err;
  }
  return {
    url: salon.url,
    salon,
    async query<T>(text: string) {
      const result = await salon.database.db.execute(sql.raw(text));
      return rowsOf<T>(result);
    },
    stored: (roomId) => storedMessagesIn(salon.database.db, roomId, config.masterKey ?? TEST_MASTER_KEY),
    async close() {
      await salon.stop();
      await testDb?.drop();
    },
  };
}

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** A Salon server as a separate OS process (the built `dist/main.js`), for scale-out and fault tests. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SALON_LIMITS: JSON.stringify(relaxedLimits()),
      SALON_MASTER_KEY: TEST_MASTER_KEY,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server process did not start in time')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'salon listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
    child.stderr!.resume();
    void exited.then((code) => reject(new Error(`server process exited early with ${code}`)));
  });
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export type { TestDatabase };
