import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type PgText, PREPARED_SETTINGS, type Prepared } from './prepared.js';

interface QueryResult {
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

interface QueryOptions {
  rowMode?: 'array' | 'object';
  /** drizzle's per-query date parsers: the thread applies the same ones to every query, so they stay here. */
  parsers?: unknown;
}

/** A query client as drizzle's PGlite driver uses it: `query`, and `transaction` with the same on its argument. */
export interface PgliteLike {
  query(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult>;
  transaction<T>(callback: (tx: PgliteLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Reply = { id: number; ok: true; result?: QueryResult } | { id: number; ok: false; error: Record<string, unknown> };

/**
 * Set on the embedded database's one session. Prepared statements are planned once, generically (prepared.ts).
 * A new WAL segment is not zero-filled first: PGlite writes its WAL on this thread, and writing 16 MB of zeroes
 * held up every statement behind it (20-90 ms at 1,000 sends/s, once every few seconds).
 */
const SESSION_SETTINGS: Record<string, string> = { ...PREPARED_SETTINGS, wal_init_zero: 'off' };

const WORKER = new URL('../../src/store/pglite-worker.cjs', import.meta.url);

/**
 * The embedded database (PGlite) on a thread of its own. PGlite executes each query synchronously, so in the
 * server's thread every query stopped the sockets, the fan-out and the acks for its whole duration (a batch of
 * sends over 15 rooms: 7 ms); here they go on meanwhile, on the other core. Queries are posted in call order and
 * run in that order; a transaction holds back the queries made outside it until it ends, as PGlite itself does.
 */
export class PgliteThread implements PgliteLike {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(r: QueryResult): void; reject(e: Error): void }>();
  private nextId = 1;
  /** Settles when no transaction is open or waiting: queries outside transactions wait for it. */
  private gate: Promise<void> = Promise.resolve();
  private broken: Error | null = null;
  readonly ready: Promise<void>;

  private constructor(dataDir: string | null) {
    const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    this.worker = new Worker(WORKER, {
      workerData: { dataDir, pglite, sessionSettings: SESSION_SETTINGS },
      name: 'salon-pglite',
    });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (msg: { ready?: boolean; error?: Record<string, unknown> }) => {
        if (msg.ready === undefined) return;
        this.worker.off('message', onReady);
        if (msg.ready) resolve();
        else reject(toError(msg.error ?? {}));
      };
      this.worker.on('message', onReady);
    });
    this.worker.on('message', (msg: Reply) => {
      if (typeof msg.id !== 'number') return;
      const waiting = this.waiting.get(msg.id);
      if (!waiting) return;
      this.waiting.delete(msg.id);
      if (msg.ok) waiting.resolve(msg.result ?? { rows: [], fields: [] });
      else waiting.reject(toError(msg.error));
    });
    const fail = (err: Error) => {
      this.broken = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the embedded database stopped (exit code ${code})`)));
  }

  /** Starts the thread and waits for the database to open (`dataDir` null: in memory). */
  static async start(dataDir: string | null): Promise<PgliteThread> {
    const thread = new PgliteThread(dataDir);
    try {
      await thread.ready;
    } catch (err) {
      await thread.worker.terminate();
      throw err;
    }
    return thread;
  }

  async query(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult> {
    await this.gate;
    return this.post(text, params, options);
  }

  /** Runs a prepared statement (see prepared.ts): outside transactions, in call order with the queries. */
  async prepared(statement: Prepared, params: PgText[]): Promise<PgText[][]> {
    await this.gate;
    const result = await this.send({ op: 'prepared', name: statement.name, text: statement.text, params });
    return result.rows as PgText[][];
  }

  async transaction<T>(callback: (tx: PgliteLike) => Promise<T>): Promise<T> {
    const before = this.gate;
    let release!: () => void;
    this.gate = new Promise((resolve) => {
      release = resolve;
    });
    await before;
    let open = true;
    const tx: PgliteLike = {
      query: (text, params, options) => {
        if (!open) return Promise.reject(new Error('this transaction has ended'));
        return this.post(text, params, options);
      },
      transaction: (inner) => inner(tx),
      close: () => Promise.reject(new Error('close the database, not a transaction')),
    };
    try {
      await this.post('BEGIN');
      let result: T;
      try {
        result = await callback(tx);
      } catch (err) {
        await this.post('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await this.post('COMMIT');
      return result;
    } finally {
      open = false;
      release();
    }
  }

  async close(): Promise<void> {
    await this.gate;
    if (this.broken === null) {
      await new Promise<void>((resolve, reject) => {
        const id = this.nextId++;
        this.waiting.set(id, { resolve: () => resolve(), reject });
        this.worker.postMessage({ id, op: 'close' });
      }).catch(() => undefined);
    }
    await this.worker.terminate();
  }

  private post(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult> {
    return this.send({ op: 'query', text, params, rowMode: options?.rowMode });
  }

  private send(message: Record<string, unknown>): Promise<QueryResult> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }
}

/** An error as PGlite raised it, with PostgreSQL's fields (code, constraint, detail...) on it. */
function toError(fields: Record<string, unknown>): Error {
  const err = new Error(typeof fields.message === 'string' ? fields.message : 'database error');
  for (const [key, value] of Object.entries(fields)) {
    if (key !== 'message' && key !== 'stack') (err as unknown as Record<string, unknown>)[key] = value;
  }
  return err;
}
