/**
 * Scenario 3, idle connections: N authenticated WebSockets, each subscribed to one of R rooms, doing nothing.
 * Each run starts the target afresh, opens and closes a warm-up batch, takes the servers' RSS as a baseline,
 * opens the N sockets, lets them settle, then samples CPU over an idle window (long enough in a full run to
 * include one Salon heartbeat, every 30 s). RSS per connection = (RSS after - baseline) / N over the server
 * processes.
 *
 * The generator holds the N sockets in this process: `ulimit -n` must exceed N plus a margin (checked).
 */
import { readFile } from 'node:fs/promises';
import { monoMs, sleep } from '../clock.js';
import { ProcSampler, stableRssKb, totalRssKb } from '../procstat.js';
import { fmtNum, spread } from '../stats.js';
import type { Target } from '../targets/types.js';
import { eachTarget, othersCpu, type ScenarioContext, serverCpu, withTarget } from './common.js';
import type { GoalCheck, Scenario, ScenarioReport, TargetReport } from './types.js';

export const IDLE_GOAL_KB = 15;

export function idleParams(quick: boolean) {
  return {
    connections: quick ? 400 : 10_000,
    // Fewer rooms in --quick: every bench user joins every room over REST, which takes time.
    rooms: quick ? 20 : 100,
    warmupConnections: quick ? 50 : 100,
    settleMs: quick ? 500 : 3000,
    /** At most this long waiting for the RSS to stop moving before each reading. */
    stabilizeMs: quick ? 2500 : 20_000,
    idleWindowMs: quick ? 2000 : 35_000,
    runs: quick ? 1 : 3,
  };
}

interface IdleRun {
  run: number;
  connected: number;
  failed: number;
  connectMs: number;
  connectsPerSec: number;
  baselineRssKb: number;
  /** After the first half of the connections. */
  midRssKb: number;
  afterRssKb: number;
  /** At the end of the idle window. */
  endRssKb: number;
  /** Whether every RSS reading settled within the tolerance before its deadline. */
  rssStable: boolean;
  rssPerConnKb: number;
  /** The marginal cost: (after - mid) / second half. */
  secondHalfRssPerConnKb: number;
  idleCpuPct: number;
  othersCpuPct: number;
  /** Sockets closed by the server during the idle window. */
  closedDuringIdle: number;
  procs: ReturnType<ProcSampler['stop']>;
  errors: string[];
}

async function openFilesLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const m = /Max open files\s+(\d+)/.exec(limits);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

export const idle: Scenario = {
  name: 'idle',
  async run(ctx: ScenarioContext, targets: Target[]): Promise<ScenarioReport> {
    const P = idleParams(ctx.quick);
    const limit = await openFilesLimit();
    const notes: string[] = [];
    // One descriptor per client socket here, plus the warm-up batch, plus a margin for everything else.
    const fit = Math.floor(limit - P.warmupConnections - 500);
    if (fit < P.connections) {
      notes.push(
        `ulimit -n is ${limit}: only ${fit} connections instead of ${P.connections} (raise it in the shell: ulimit -n 65536)`,
      );
      P.connections = Math.max(100, fit);
    }
    const reports = await eachTarget(ctx, 'idle', targets, (target) => runTarget(ctx, target, P));
    return {
      scenario: 'idle',
      title:
        `Idle: ${P.connections} authenticated idle WebSockets over ${P.rooms} rooms, ` +
        `${P.idleWindowMs / 1000} s idle window, ${P.runs} run(s)` +
        (ctx.shared ? ' on the servers the previous scenarios used' : ' on a fresh server each'),
      quick: ctx.quick,
      params: { ...P, openFilesLimit: limit },
      metrics: [
        { key: 'rssPerConnKb', header: 'RSS KB/conn', digits: 1 },
        { key: 'secondHalfKb', header: 'KB/conn 2nd half', digits: 1 },
        { key: 'idleCpuPct', header: 'idle CPU%', digits: 1 },
        { key: 'afterRssMb', header: 'server RSS MB', digits: 0 },
        { key: 'connectsPerSec', header: 'connects/s', digits: 0 },
        { key: 'connected', header: 'connected', digits: 0 },
        { key: 'othersCpu', header: 'others CPU%', digits: 0 },
      ],
      targets: reports,
      goals: goals(reports),
      notes: [
        'RSS KB/conn = (server RSS after connecting - RSS before) / connections, summed over the server processes,',
        '  each reading taken once the RSS stopped moving; "2nd half" = marginal cost of the second half of the sockets',
        '"others CPU%" = what the rest of the machine (other work) used meanwhile: the noise',
        ...notes,
      ],
    };
  },
};

async function oneRun(ctx: ScenarioContext, target: Target, P: ReturnType<typeof idleParams>, run: number) {
  return withTarget(ctx, target, async (running, pool) => {
    const total = P.warmupConnections + P.connections;
    const sockets = Array.from({ length: total }, (_, i) => ({ room: i % P.rooms, subscribe: true }));
    const specs = await running.provision({ tag: `${ctx.runTag}${run}`, rooms: P.rooms, sockets });
    const warm = specs.slice(0, P.warmupConnections);
    const main = specs.slice(P.warmupConnections);
    const half = Math.floor(main.length / 2);
    const opts = {};
    const assign = (s: { gid: number }) => s.gid % pool.size;
    // Warm-up: code paths, pools and caches the first connections fill, then gone again.
    await pool.connect(warm, assign, opts);
    await pool.closeAll();
    const serverProcs = (await running.processes()).filter((p) => p.role === 'server');
    const stable = () => stableRssKb(serverProcs, { maxMs: P.stabilizeMs, intervalMs: ctx.quick ? 250 : 500 });
    const baseline = await stable();
    const t0 = monoMs();
    const first = await pool.connect(main.slice(0, half), assign, opts);
    const firstMs = monoMs() - t0;
    const mid = await stable();
    const t1 = monoMs();
    const second = await pool.connect(main.slice(half), assign, opts);
    const connectMs = firstMs + (monoMs() - t1);
    const connected = first.connected + second.connected;
    const failed = first.failed + second.failed;
    const errors = [...first.errors, ...second.errors].slice(0, 5);
    ctx.log(
      `idle ${target.name} run ${run}: ${connected} sockets in ${Math.round(connectMs)} ms, ${failed} failed` +
        (failed ? ` (${errors.slice(0, 2).join('; ')})` : ''),
    );
    await sleep(P.settleMs);
    const after = await stable();
    await pool.collect();
    const sampler = new ProcSampler(await running.processes());
    await sleep(P.idleWindowMs);
    const procs = sampler.stop();
    const counters = await pool.collect();
    const endRssKb = totalRssKb(serverProcs);
    const perConn = (kb: number, n: number) => (n > 0 ? Math.round((kb / n) * 100) / 100 : Number.NaN);
    const result: IdleRun = {
      run,
      connected,
      failed,
      connectMs: Math.round(connectMs),
      connectsPerSec: Math.round((connected * 1000) / Math.max(1, connectMs)),
      baselineRssKb: baseline.kb,
      midRssKb: mid.kb,
      afterRssKb: after.kb,
      endRssKb,
      rssStable: baseline.stable && mid.stable && after.stable,
      rssPerConnKb: perConn(after.kb - baseline.kb, connected),
      secondHalfRssPerConnKb: perConn(after.kb - mid.kb, second.connected),
      idleCpuPct: serverCpu(procs),
      othersCpuPct: othersCpu(procs),
      closedDuringIdle: counters.reduce((a, p) => a + p.closed, 0),
      procs,
      errors,
    };
    ctx.log(
      `  RSS ${fmtNum(baseline.kb / 1024, 0)} -> ${fmtNum(mid.kb / 1024, 0)} -> ${fmtNum(after.kb / 1024, 0)} MB` +
        `${result.rssStable ? '' : ' (not stable)'}: ${result.rssPerConnKb} KB/conn ` +
        `(second half ${result.secondHalfRssPerConnKb}), idle CPU ${result.idleCpuPct}%, others ${result.othersCpuPct}%` +
        (result.closedDuringIdle ? `, ${result.closedDuringIdle} closed by the server` : ''),
    );
    return { result, description: running.description };
  });
}

async function runTarget(ctx: ScenarioContext, target: Target, P: ReturnType<typeof idleParams>) {
  const runs: IdleRun[] = [];
  let description = '';
  for (let run = 1; run <= P.runs; run++) {
    if (monoMs() > ctx.deadline) break;
    const r = await oneRun(ctx, target, P, run);
    runs.push(r.result);
    description = r.description;
  }
  if (runs.length === 0) throw new Error('time budget reached before the first run');
  const pick = (f: (r: IdleRun) => number) => spread(runs.map(f));
  const report: TargetReport = {
    target: target.name,
    description,
    status: 'ok',
    headline: {
      rssPerConnKb: pick((r) => r.rssPerConnKb),
      secondHalfKb: pick((r) => r.secondHalfRssPerConnKb),
      idleCpuPct: pick((r) => r.idleCpuPct),
      othersCpu: pick((r) => r.othersCpuPct),
      afterRssMb: pick((r) => r.afterRssKb / 1024),
      connectsPerSec: pick((r) => r.connectsPerSec),
      connected: pick((r) => r.connected),
    },
    detail: { runs },
  };
  return report;
}

function goals(reports: TargetReport[]): GoalCheck[] {
  const out: GoalCheck[] = [];
  for (const r of reports) {
    if (!r.target.startsWith('salon') || r.status !== 'ok') continue;
    const kb = r.headline.rssPerConnKb?.median ?? Number.NaN;
    out.push({
      targets: [r.target],
      goal: `${r.target} idle connection <= ${IDLE_GOAL_KB} KB RSS`,
      measured: `${fmtNum(kb, 1)} KB per connection`,
      pass: Number.isFinite(kb) ? kb <= IDLE_GOAL_KB : null,
    });
  }
  return out;
}
