/**
 * Scenario 4, reconnect storm: N receivers over R rooms and one publisher socket per room, on one
 * fixed schedule. A moment
 * into the schedule the server is killed (SIGKILL, every process of the target) and started again on the same
 * port and data while the schedule goes on. Clients come back like the web client (backoff 0.5-1 s doubling up
 * to 5-10 s, equal jitter), resubscribe with `since` = the last seq they saw, and publishers re-send what was not
 * acked (same clientMsgId). Measured: time until 95% and 100% of the receivers are subscribed again (from
 * the kill and from the moment the new server listens), messages replayed from the store, and after a drain
 * the loss and duplicates over the whole schedule.
 */
import { monoMs, sleep } from '../clock.js';
import { fmtNum, spread } from '../stats.js';
import type { Target } from '../targets/types.js';
import {
  describeStep,
  eachTarget,
  othersCpu,
  runStep,
  type ScenarioContext,
  type StepResult,
  settle,
  withTarget,
} from './common.js';
import type { GoalCheck, Scenario, ScenarioReport, TargetReport } from './types.js';

export const RECONNECT_GOAL_MS = 5000;

export function reconnectParams(quick: boolean) {
  return {
    clients: quick ? 500 : 5000,
    rooms: quick ? 10 : 50,
    /** One publisher socket per room (a socket publishes to its own room). */
    /** Messages per second over all rooms, before, during and after the outage. */
    rate: 20,
    /** Publishing time before the kill. */
    beforeMs: quick ? 2000 : 3000,
    /** Length of the whole schedule. */
    scheduleMs: quick ? 15_000 : 30_000,
    /** Give up waiting for the last resubscriptions after this long (from the kill). */
    resubscribeTimeoutMs: quick ? 30_000 : 90_000,
    drainMs: quick ? 5000 : 10_000,
    runs: quick ? 1 : 3,
    bodyBytes: 100,
  };
}

interface StormRun {
  run: number;
  receivers: number;
  /** From the kill until the restarted server listened. */
  restartMs: number;
  /** Ms from the kill until 95% / 100% of the receivers had resubscribed (NaN: not reached). */
  t95FromKill: number;
  t100FromKill: number;
  t95FromReady: number;
  t100FromReady: number;
  notResubscribed: number;
  step: StepResult;
}

/** The time by which `fraction` of `total` had resubscribed, NaN when fewer did. */
function timeFor(sorted: number[], total: number, fraction: number): number {
  const need = Math.ceil(total * fraction);
  return need <= sorted.length && need > 0 ? sorted[need - 1]! : Number.NaN;
}

export const reconnect: Scenario = {
  name: 'reconnect',
  async run(ctx: ScenarioContext, targets: Target[]): Promise<ScenarioReport> {
    const P = reconnectParams(ctx.quick);
    const reports = await eachTarget(ctx, 'reconnect', targets, (target) => runTarget(ctx, target, P));
    return {
      scenario: 'reconnect',
      title:
        `Reconnect storm: ${P.clients} receivers over ${P.rooms} rooms, one publisher per room, ${P.rate} msg/s in all; ` +
        `server killed after ${P.beforeMs / 1000} s and restarted, ${P.runs} run(s)`,
      quick: ctx.quick,
      params: P,
      metrics: [
        { key: 'restartMs', header: 'restart ms', digits: 0 },
        { key: 't95FromReady', header: '95% resub ms (from ready)', digits: 0 },
        { key: 't100FromReady', header: '100% resub ms (from ready)', digits: 0 },
        { key: 't95FromKill', header: '95% from kill', digits: 0 },
        { key: 't100FromKill', header: '100% from kill', digits: 0 },
        { key: 'recovered', header: 'replayed', digits: 0 },
        { key: 'lost', header: 'lost', digits: 0 },
        { key: 'duplicates', header: 'dup', digits: 0 },
        { key: 'outOfOrder', header: 'ooo', digits: 0 },
        { key: 'p99', header: 'p99 ms', digits: 0 },
        { key: 'othersCpu', header: 'others CPU%', digits: 0 },
      ],
      targets: reports,
      goals: goals(reports),
      notes: [
        '"ready" = the restarted server listens; "replayed" = deliveries served from the store after a resubscription;',
        '  lost/dup/ooo over every receiver and every message of the schedule (raw and Django have no resume: loss expected)',
      ],
    };
  },
};

async function runTarget(ctx: ScenarioContext, target: Target, P: ReturnType<typeof reconnectParams>) {
  return withTarget(ctx, target, async (running, pool): Promise<TargetReport> => {
    const restart = running.restart?.bind(running);
    if (!restart) throw new Error(`${target.name} cannot be restarted`);
    const sockets = [
      ...Array.from({ length: P.rooms }, (_, room) => ({ room, subscribe: false })),
      ...Array.from({ length: P.clients }, (_, i) => ({ room: i % P.rooms, subscribe: true })),
    ];
    const specs = await running.provision({ tag: ctx.runTag, rooms: P.rooms, sockets });
    const receiverWorkers = Math.max(1, pool.size - 1);
    const conn = await pool.connect(specs, (s) => (s.subscribe && pool.size > 1 ? 1 + (s.gid % receiverWorkers) : 0), {
      reconnect: true,
    });
    ctx.log(`reconnect ${target.name}: ${conn.connected} sockets in ${Math.round(conn.ms)} ms, ${conn.failed} failed`);
    if (!conn.connected) throw new Error(`no socket connected: ${conn.errors.join('; ')}`);
    const senders: number[][] = Array.from({ length: P.rooms }, () => []);
    for (const s of specs) if (!s.subscribe) senders[s.room]!.push(s.gid);
    const base = {
      rooms: P.rooms,
      senders,
      receiversPerRoom: conn.receiversPerRoom,
      bodyBytes: P.bodyBytes,
      drainMs: P.drainMs,
      procs: () => running.processes(),
    };
    const runs: StormRun[] = [];
    for (let run = 1; run <= P.runs; run++) {
      if (ctx.aborted() || monoMs() > ctx.deadline) break;
      let killAt = 0;
      let readyAt = 0;
      const step = await runStep(pool, {
        ...base,
        rate: P.rate,
        durationMs: P.scheduleMs,
        during: async (plan, sampling) => {
          await sleep(Math.max(0, plan.startAt + P.beforeMs - monoMs()));
          await pool.mark();
          killAt = monoMs();
          await restart();
          readyAt = monoMs();
          // The new server processes are counted as the server from now on, not as "others".
          await sampling.follow();
          ctx.log(`  run ${run}: killed and restarted in ${Math.round(readyAt - killAt)} ms`);
          while (monoMs() - killAt < P.resubscribeTimeoutMs) {
            if ((await pool.resubscribed()).pending === 0) break;
            await sleep(100);
          }
        },
      });
      const resub = await pool.resubscribed();
      const sorted = [...resub.times].sort((a, b) => a - b);
      const total = sorted.length + resub.pending;
      const restartMs = readyAt - killAt;
      const r: StormRun = {
        run,
        receivers: total,
        restartMs: Math.round(restartMs),
        t95FromKill: Math.round(timeFor(sorted, total, 0.95)),
        t100FromKill: Math.round(timeFor(sorted, total, 1)),
        t95FromReady: Math.round(timeFor(sorted, total, 0.95) - restartMs),
        t100FromReady: Math.round(timeFor(sorted, total, 1) - restartMs),
        notResubscribed: resub.pending,
        step,
      };
      runs.push(r);
      ctx.log(
        `  run ${run}: 95% resubscribed ${fmtNum(r.t95FromKill, 0)} ms after the kill (${fmtNum(r.t95FromReady, 0)} after ready), ` +
          `100% ${fmtNum(r.t100FromKill, 0)} ms, ${r.notResubscribed} never; replayed ${step.recovered}; ${describeStep(step)}`,
      );
      await settle(pool, 1000, 15_000);
    }
    if (runs.length === 0) throw new Error('time budget reached before the first run');
    const pick = (f: (r: StormRun) => number) => spread(runs.map(f));
    return {
      target: target.name,
      description: running.description,
      status: 'ok',
      headline: {
        restartMs: pick((r) => r.restartMs),
        t95FromReady: pick((r) => r.t95FromReady),
        t100FromReady: pick((r) => r.t100FromReady),
        t95FromKill: pick((r) => r.t95FromKill),
        t100FromKill: pick((r) => r.t100FromKill),
        recovered: pick((r) => r.step.recovered),
        lost: pick((r) => r.step.lost),
        duplicates: pick((r) => r.step.duplicates),
        outOfOrder: pick((r) => r.step.outOfOrder),
        p99: pick((r) => r.step.latency.p99),
        othersCpu: pick((r) => othersCpu(r.step.procs)),
      },
      detail: { connect: { ...conn, perWorker: undefined }, runs },
    };
  });
}

function goals(reports: TargetReport[]): GoalCheck[] {
  const out: GoalCheck[] = [];
  for (const r of reports) {
    if (!r.target.startsWith('salon') || r.status !== 'ok') continue;
    const t95 = r.headline.t95FromReady?.median ?? Number.NaN;
    out.push({
      targets: [r.target],
      goal: `${r.target} 95% of the clients resubscribed within ${RECONNECT_GOAL_MS / 1000} s of the restart`,
      measured: Number.isFinite(t95) ? `${fmtNum(t95, 0)} ms after the new server listened` : 'not reached',
      pass: Number.isFinite(t95) ? t95 <= RECONNECT_GOAL_MS : false,
    });
    const lost = r.headline.lost?.max ?? Number.NaN;
    out.push({
      targets: [r.target],
      goal: `${r.target} loses no message across the restart`,
      measured: `lost ${fmtNum(lost, 0)} (worst run), duplicates ${fmtNum(r.headline.duplicates?.max ?? Number.NaN, 0)}`,
      pass: lost === 0,
    });
  }
  return out;
}
