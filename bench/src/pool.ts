import { Worker } from 'node:worker_threads';
import { monoMs } from './clock.js';
import type { ClientSpec, Target } from './targets/types.js';
import type {
  Collected,
  ConnectResult,
  Counters,
  Reply,
  Request,
  ResubscribeTimes,
  StepPlan,
  WorkerInit,
} from './worker.js';

/**
 * Node 20 does not apply the main thread's `--import tsx` to a worker's entry module: the worker registers
 * tsx itself, then imports the TypeScript entry.
 */
const BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./worker.ts', import.meta.url).href,
)}); })`;

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** One generator thread seen from the main thread: request/response over postMessage. */
class WorkerHandle {
  private nextRid = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private dead: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.rid);
      if (!p) return;
      this.pending.delete(reply.rid);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(reply.error));
    });
    const die = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`generator worker exited with ${code}`)));
  }

  call<T>(req: DistributiveOmit<Request, 'rid'>, timeoutMs: number): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new Error(`worker ${req.op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rid, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.worker.postMessage({ ...req, rid });
    });
  }
}

export interface PoolConnectResult extends ConnectResult {
  perWorker: ConnectResult[];
}

/** The load generator: N worker threads, each owning a share of the sockets. */
export class ClientPool {
  private constructor(
    private readonly workers: WorkerHandle[],
    readonly target: Target,
  ) {}

  static async create(target: Target, count: number, epochOffset: number): Promise<ClientPool> {
    const handles = Array.from({ length: count }, (_, index) => {
      const init: WorkerInit = { target: target.name, index, epochOffset };
      return new WorkerHandle(new Worker(BOOT, { eval: true, workerData: init }));
    });
    const pool = new ClientPool(handles, target);
    // A round trip proves every worker loaded.
    await Promise.all(handles.map((h) => h.call({ op: 'counters' }, 30_000)));
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Connects (and subscribes) every spec on the worker `assign` picks for it. */
  async connect(
    specs: ClientSpec[],
    assign: (spec: ClientSpec) => number,
    opts: { timeoutMs?: number; budgetMs?: number; reconnect?: boolean } = {},
  ): Promise<PoolConnectResult> {
    const shares: ClientSpec[][] = this.workers.map(() => []);
    for (const spec of specs) shares[assign(spec) % this.workers.length]!.push(spec);
    const concurrency = Math.max(1, Math.floor(this.target.connectInFlight / this.workers.length));
    const perWorker = await Promise.all(
      this.workers.map((w, i) =>
        w.call<ConnectResult>(
          {
            op: 'connect',
            specs: shares[i]!,
            concurrency,
            timeoutMs: opts.timeoutMs ?? 20_000,
            reconnect: opts.reconnect ?? false,
          },
          opts.budgetMs ?? 600_000,
        ),
      ),
    );
    const total: PoolConnectResult = { connected: 0, failed: 0, receiversPerRoom: {}, errors: [], ms: 0, perWorker };
    for (const r of perWorker) {
      total.connected += r.connected;
      total.failed += r.failed;
      total.ms = Math.max(total.ms, r.ms);
      total.errors.push(...r.errors);
      for (const [room, n] of Object.entries(r.receiversPerRoom)) {
        total.receiversPerRoom[Number(room)] = (total.receiversPerRoom[Number(room)] ?? 0) + n;
      }
    }
    return total;
  }

  /** Runs a step's schedule on every worker; resolves once all have sent their share. */
  async step(plan: StepPlan): Promise<{ sent: number; sendFailed: number }> {
    const budget = plan.startAt - monoMs() + (plan.count / plan.rate) * 1000 + 120_000;
    const parts = await Promise.all(
      this.workers.map((w) =>
        w.call<{ sent: number; sendFailed: number }>({ op: 'step', plan }, Math.max(budget, 120_000)),
      ),
    );
    return parts.reduce((a, b) => ({ sent: a.sent + b.sent, sendFailed: a.sendFailed + b.sendFailed }));
  }

  async counters(): Promise<Counters> {
    const parts = await Promise.all(this.workers.map((w) => w.call<Counters>({ op: 'counters' }, 30_000)));
    return sumCounters(parts);
  }

  /** Takes every worker's histograms and counters of the current step and resets them. */
  async collect(): Promise<Collected[]> {
    return Promise.all(this.workers.map((w) => w.call<Collected>({ op: 'collect' }, 60_000)));
  }

  /** Marks the start of a storm in every worker: resubscription times count from now. */
  async mark(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ op: 'mark' }, 30_000)));
  }

  /** Resubscription times (ms after the mark) of every receiver so far, and how many are still pending. */
  async resubscribed(): Promise<ResubscribeTimes> {
    const parts = await Promise.all(this.workers.map((w) => w.call<ResubscribeTimes>({ op: 'resubscribed' }, 30_000)));
    return { times: parts.flatMap((p) => p.times), pending: parts.reduce((a, p) => a + p.pending, 0) };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call<number>({ op: 'close' }, 60_000).catch(() => 0)));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

export function sumCounters(parts: Counters[]): Counters {
  const out: Counters = {
    received: 0,
    duplicates: 0,
    outOfOrder: 0,
    stale: 0,
    misrouted: 0,
    recovered: 0,
    acks: 0,
    sent: 0,
    sendFailed: 0,
    errors: 0,
    closed: 0,
    reconnects: 0,
    open: 0,
  };
  for (const p of parts) for (const k of Object.keys(out) as Array<keyof Counters>) out[k] += p[k];
  return out;
}
