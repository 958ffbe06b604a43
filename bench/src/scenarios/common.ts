import { monoMs, sleep } from '../clock.js';
import { ClientPool } from '../pool.js';
import { ProcSampler, type ProcUsage } from '../procstat.js';
import { fmtNum, type LatencySummary, mergeLatency, spread } from '../stats.js';
import type { ProcRef, RunningTarget, Target, TargetName } from '../targets/types.js';
import type { StepPlan } from '../worker.js';
import type { TargetReport } from './types.js';

export interface ScenarioContext {
  quick: boolean;
  /** Generator threads. */
  workers: number;
  /** `--rates`: fan-out and many rooms run these rates, once, instead of their ladder and ramps. */
  rates?: number[];
  scratchDir: string;
  epochOffset: number;
  /** Short unique tag for this bench run (room and user names). */
  runTag: string;
  log(line: string): void;
  /** Registers a cleanup to run on a signal or crash; returns its unregister function. */
  onCleanup(fn: () => Promise<void>): () => void;
  /** Monotonic ms after which the scenario must wind down. */
  deadline: number;
  /** True once a signal or crash started the shutdown: start nothing new. */
  aborted(): boolean;
  /**
   * With `--quick`: targets started by one scenario and left running for the next (the main program stops
   * them at the end). null: every scenario starts its targets afresh and stops them.
   */
  shared: Map<TargetName, RunningTarget> | null;
}

/**
 * Starts a target (or, with `ctx.shared`, takes the one a previous scenario left running) and a generator
 * pool, runs `body`, and always ends the pool and stops the target it started. A shared target is stopped by
 * the main program at the end, or here when `body` failed (the next scenario then starts a fresh one).
 */
export async function withTarget<T>(
  ctx: ScenarioContext,
  target: Target,
  body: (running: RunningTarget, pool: ClientPool) => Promise<T>,
): Promise<T> {
  if (ctx.aborted()) throw new Error('aborted');
  let running = ctx.shared?.get(target.name);
  let unregisterTarget = () => {};
  if (running) ctx.log(`reusing ${target.name}`);
  else {
    ctx.log(`starting ${target.name}`);
    const t0 = monoMs();
    const started = await target.start({ scratchDir: ctx.scratchDir, log: ctx.log });
    running = started;
    unregisterTarget = ctx.onCleanup(() => started.stop());
    ctx.log(`${target.name} up in ${Math.round(monoMs() - t0)} ms: ${running.description}`);
    if (ctx.shared) {
      ctx.shared.set(target.name, running);
      unregisterTarget = () => {};
    }
  }
  let pool: ClientPool | null = null;
  let unregisterPool = () => {};
  let failed = true;
  try {
    pool = await ClientPool.create(target, ctx.workers, ctx.epochOffset);
    const p = pool;
    unregisterPool = ctx.onCleanup(() => p.terminate());
    const result = await body(running, pool);
    failed = false;
    return result;
  } finally {
    if (pool) {
      await pool.closeAll().catch(() => {});
      await pool.terminate().catch(() => {});
    }
    unregisterPool();
    if (!ctx.shared || failed) {
      ctx.shared?.delete(target.name);
      await running.stop();
      unregisterTarget();
      ctx.log(`${target.name} stopped`);
    }
  }
}

export interface StepSpec {
  rate: number;
  durationMs: number;
  rooms: number;
  senders: number[][];
  /** Connected receivers per room index. */
  receiversPerRoom: Record<number, number>;
  bodyBytes: number;
  /** How long after the last due send deliveries may still arrive before they count as lost. */
  drainMs: number;
  /** Processes to sample, looked up at each step (PostgreSQL backends come and go). */
  procs: () => Promise<ProcRef[]>;
  /** Runs while the schedule is being sent (e.g. kills the server); the drain starts once both are done. */
  /** Runs while the schedule goes on; `follow` adds the target's current processes to the CPU sampling. */
  during?: (plan: StepPlan, sampling: { follow(): Promise<void> }) => Promise<void>;
}

export interface StepResult {
  step: number;
  rate: number;
  durationMs: number;
  scheduled: number;
  sent: number;
  sendFailed: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  stale: number;
  misrouted: number;
  recovered: number;
  reconnects: number;
  errors: number;
  errorCodes: Record<string, number>;
  firstError: string | null;
  closed: number;
  closeCodes: Record<string, number>;
  /** Distinct deliveries per second at the receivers, over the window from the first due send to the drain. */
  deliveriesPerSec: number;
  /** Send-to-delivery, from the intended send time. */
  latency: LatencySummary;
  /** Send-to-ack (Salon, raw) or send-to-own-echo (Django), from the intended send time. */
  ack: LatencySummary;
  procs: ProcUsage[];
  /** Worst event-loop delay over the generator threads. */
  generatorEldP99Ms: number;
  generatorEldMaxMs: number;
  drainMs: number;
}

let nextStep = 1;

function messagesInRoom(count: number, rooms: number, room: number): number {
  return room >= count ? 0 : Math.floor((count - 1 - room) / rooms) + 1;
}

/** One step of a fixed schedule: send `rate` msg/s for `durationMs`, wait for the deliveries, collect. */
export async function runStep(pool: ClientPool, spec: StepSpec): Promise<StepResult> {
  const step = nextStep++;
  const count = Math.max(1, Math.round((spec.rate * spec.durationMs) / 1000));
  const plan: StepPlan = {
    step,
    // Room for the workers to receive the plan and allocate before the first send is due.
    startAt: monoMs() + 200,
    rate: spec.rate,
    count,
    rooms: spec.rooms,
    senders: spec.senders,
    bodyBytes: spec.bodyBytes,
  };
  let expected = 0;
  for (let r = 0; r < spec.rooms; r++)
    expected += messagesInRoom(count, spec.rooms, r) * (spec.receiversPerRoom[r] ?? 0);
  const sampler = new ProcSampler(await spec.procs());
  const sending = pool.step(plan);
  if (spec.during) await spec.during(plan, { follow: async () => sampler.follow(await spec.procs()) });
  const { sent, sendFailed } = await sending;
  const lastDue = plan.startAt + ((count - 1) * 1000) / spec.rate;
  const deadline = Math.max(monoMs(), lastDue) + spec.drainMs;
  const drainStart = monoMs();
  for (;;) {
    const c = await pool.counters();
    if (c.received >= expected && c.acks >= sent) break;
    if (monoMs() > deadline) break;
    await sleep(25);
  }
  const windowMs = Math.max(1, monoMs() - plan.startAt);
  const drainMs = monoMs() - drainStart;
  const procs = sampler.stop();
  const parts = await pool.collect();
  const sum = <K extends keyof (typeof parts)[number]>(k: K) =>
    parts.reduce((a, p) => a + (p[k] as unknown as number), 0);
  const mergeCodes = (pick: (p: (typeof parts)[number]) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const p of parts) for (const [k, v] of Object.entries(pick(p))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const received = sum('received');
  return {
    step,
    rate: spec.rate,
    durationMs: spec.durationMs,
    scheduled: count,
    sent,
    sendFailed,
    expected,
    received,
    lost: Math.max(0, expected - received),
    duplicates: sum('duplicates'),
    outOfOrder: sum('outOfOrder'),
    stale: sum('stale'),
    misrouted: sum('misrouted'),
    recovered: sum('recovered'),
    reconnects: sum('reconnects'),
    errors: sum('errors'),
    errorCodes: mergeCodes((p) => p.errorCodes),
    firstError: parts.find((p) => p.firstError)?.firstError ?? null,
    closed: sum('closed'),
    closeCodes: mergeCodes((p) => p.closeCodes),
    deliveriesPerSec: Math.round((received * 1000) / windowMs),
    latency: mergeLatency(parts.map((p) => p.latency)),
    ack: mergeLatency(parts.map((p) => p.ack)),
    procs,
    generatorEldP99Ms: Math.max(...parts.map((p) => p.eldP99Ms)),
    generatorEldMaxMs: Math.max(...parts.map((p) => p.eldMaxMs)),
    drainMs: Math.round(drainMs),
  };
}

/** Waits until late deliveries stop arriving (quiet for `quietMs`), at most `maxMs`. */
export async function settle(pool: ClientPool, quietMs = 500, maxMs = 30_000): Promise<void> {
  const end = monoMs() + maxMs;
  let last = -1;
  let quietSince = monoMs();
  while (monoMs() < end) {
    const c = await pool.counters();
    const seen = c.stale + c.received;
    if (seen !== last) {
      last = seen;
      quietSince = monoMs();
    } else if (monoMs() - quietSince >= quietMs) break;
    await sleep(100);
  }
  // Drop whatever the settle period counted.
  await pool.collect();
}

/** CPU% summed over the target's own server processes. */
export function serverCpu(procs: ProcUsage[]): number {
  return Math.round(procs.filter((p) => p.role === 'server').reduce((a, p) => a + p.cpuPct, 0) * 10) / 10;
}

/** RSS (MB) summed over the target's own server processes, at the end of the window. */
export function serverRssMb(procs: ProcUsage[]): number {
  return Math.round(procs.filter((p) => p.role === 'server').reduce((a, p) => a + p.rssKbEnd, 0) / 102.4) / 10;
}

export function generatorCpu(procs: ProcUsage[]): number {
  return procs.find((p) => p.role === 'generator')?.cpuPct ?? Number.NaN;
}

/** CPU% of everything else on the machine (other people's tests, ...) during the window: the noise. */
export function othersCpu(procs: ProcUsage[]): number {
  return procs.find((p) => p.role === 'others')?.cpuPct ?? Number.NaN;
}

export interface RampRun {
  run: number;
  /** Highest passing rate, 0 when even the first step failed. */
  maxRate: number;
  steps: StepResult[];
}

/** A step passes with no loss, no failed send, and p99 send-to-delivery under the bound. */
export function stepPasses(s: StepResult, p99Ms: number): boolean {
  return s.lost === 0 && s.sendFailed === 0 && s.latency.count > 0 && s.latency.p99 < p99Ms;
}

export function describeStep(s: StepResult): string {
  return (
    `p50 ${s.latency.p50} p99 ${s.latency.p99} max ${s.latency.max} ms, ack p99 ${s.ack.p99} ms, ` +
    `${s.deliveriesPerSec} deliv/s, lost ${s.lost}/${s.expected}, dup ${s.duplicates}, ooo ${s.outOfOrder}, ` +
    `server CPU ${serverCpu(s.procs)}%, gen CPU ${generatorCpu(s.procs)}%, others CPU ${othersCpu(s.procs)}%` +
    (s.stale ? `, stale ${s.stale}` : '') +
    (s.errors ? `, errors ${JSON.stringify(s.errorCodes)} (${s.firstError})` : '') +
    (s.closed ? `, closed ${JSON.stringify(s.closeCodes)}` : '')
  );
}

/**
 * Runs the ladder `runs` times: each ramp climbs until a step fails, then the late deliveries are let
 * through before the next ramp.
 */
export async function ramps(
  ctx: ScenarioContext,
  pool: ClientPool,
  base: Omit<StepSpec, 'rate' | 'durationMs'>,
  opts: { ladder: number[]; stepMs: number; runs: number; p99Ms: number; sockets: number },
): Promise<RampRun[]> {
  const runs: RampRun[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    await allOpen(ctx, pool, opts.sockets);
    const steps: StepResult[] = [];
    let maxRate = 0;
    for (const rate of opts.ladder) {
      if (ctx.aborted()) throw new Error('aborted');
      if (monoMs() > ctx.deadline) {
        ctx.log('  time budget reached: ramp cut short');
        break;
      }
      const s = await runStep(pool, { ...base, rate, durationMs: opts.stepMs });
      steps.push(s);
      const ok = stepPasses(s, opts.p99Ms);
      ctx.log(`  run ${run} ${rate}/s: ${ok ? 'pass' : 'FAIL'} ${describeStep(s)}`);
      if (!ok) break;
      maxRate = rate;
    }
    runs.push({ run, maxRate, steps });
    await settle(pool, ctx.quick ? 500 : 1000, ctx.quick ? 10_000 : 30_000);
  }
  return runs;
}

/**
 * Waits (at most 30 s) until `sockets` are open again: a server may close slow consumers during an overload,
 * and the clients (connected with `reconnect`) come back and resume before the next ramp.
 */
export async function allOpen(ctx: ScenarioContext, pool: ClientPool, sockets: number): Promise<void> {
  const end = monoMs() + 30_000;
  let open = (await pool.counters()).open;
  if (open >= sockets) return;
  ctx.log(`  ${sockets - open} sockets closed by the server: waiting for them to reconnect`);
  while (open < sockets && monoMs() < end) {
    await sleep(200);
    open = (await pool.counters()).open;
  }
  if (open < sockets) ctx.log(`  ${sockets - open} sockets still closed: the next ramp runs without them`);
  await settle(pool, 1000, 30_000);
}

/** The step of each run at its highest passing rate (or its first step when none passed). */
export function stepsAtMax(runs: RampRun[]): StepResult[] {
  return runs.map((r) => r.steps.find((s) => s.rate === r.maxRate) ?? r.steps[0]).filter((s): s is StepResult => !!s);
}

/** Per target, per rate: median p99 and server CPU over the runs, as one line. */
export function perRateLine(target: string, runs: RampRun[]): string {
  const rates = [...new Set(runs.flatMap((run) => run.steps.map((s) => s.rate)))].sort((a, b) => a - b);
  const cells = rates.map((rate) => {
    const steps = runs.flatMap((run) => run.steps.filter((s) => s.rate === rate));
    const p99 = spread(steps.map((s) => s.latency.p99)).median;
    const lost = steps.reduce((a, s) => a + s.lost, 0);
    const cpu = spread(steps.map((s) => serverCpu(s.procs))).median;
    return `${rate}:${fmtNum(p99, 1)}ms${lost ? `/lost ${lost}` : ''}/${fmtNum(cpu, 0)}%`;
  });
  return `${target} per rate (msg/s: median p99 / server CPU): ${cells.join('  ')}`;
}

/** Runs `fn` for each target; a target that throws is reported as an error and the others still run. */
export async function eachTarget(
  ctx: ScenarioContext,
  scenario: string,
  targets: Target[],
  fn: (target: Target) => Promise<TargetReport>,
): Promise<TargetReport[]> {
  const out: TargetReport[] = [];
  for (const target of targets) {
    if (ctx.aborted()) break;
    try {
      out.push(await fn(target));
    } catch (err) {
      ctx.log(`${scenario} ${target.name} failed: ${(err as Error).stack ?? err}`);
      out.push({
        target: target.name,
        description: '',
        status: 'error',
        error: String((err as Error).message ?? err),
        headline: {},
        detail: null,
      });
    }
  }
  return out;
}

/** A ladder scenario's parameters with `--rates` applied: those rates, one ramp. */
export function withRates<P extends { ladder: number[]; runs: number }>(params: P, rates: number[] | undefined): P {
  return rates ? { ...params, ladder: rates, runs: 1 } : params;
}
