/**
 * Scenario 1, fan-out: one room, many subscribers, a few publisher sockets taking turns on one fixed schedule
 * whose rate ramps up a ladder. Every message is stored by the targets that store (Salon, Django). A step
 * passes when p99 send-to-delivery < 100 ms and nothing is lost; the figure is the highest passing rate of each
 * ramp, median and range over the ramps.
 */
import { fmtNum, spread } from '../stats.js';
import type { Target, TargetName } from '../targets/types.js';
import {
  describeStep,
  eachTarget,
  generatorCpu,
  othersCpu,
  perRateLine,
  type RampRun,
  ramps,
  runStep,
  type ScenarioContext,
  type StepResult,
  serverCpu,
  serverRssMb,
  settle,
  stepsAtMax,
  withRates,
  withTarget,
} from './common.js';
import type { GoalCheck, Scenario, ScenarioReport, TargetReport } from './types.js';

export const FANOUT_P99_MS = 100;

export function fanoutParams(quick: boolean) {
  return {
    subscribers: quick ? 200 : 1000,
    // Several publisher sockets take turns, so that one client's serialized sends (each waits for its store)
    // do not cap the room's rate before fan-out does.
    publishers: 4,
    // 1-2-5 steps, finer from 20 to 100 msg/s (20,000 to 100,000 deliveries/s, where the targets part ways);
    // --quick climbs in coarser steps of about 3x.
    ladder: quick
      ? [1, 3, 10, 30, 100, 300, 1000, 3000, 10000]
      : [1, 2, 5, 10, 20, 30, 40, 50, 70, 100, 200, 500, 1000, 2000, 5000, 10000],
    stepMs: quick ? 750 : 5000,
    drainMs: quick ? 1000 : 5000,
    runs: quick ? 2 : 3,
    // Gentle: the reference at 1,000 subscribers falls behind at 10 msg/s, and a warm-up backlog spoils the ramp.
    warmup: { rate: quick ? 3 : 2, ms: quick ? 500 : 3000 },
    bodyBytes: 100,
  };
}

export const fanout: Scenario = {
  name: 'fanout',
  async run(ctx: ScenarioContext, targets: Target[]): Promise<ScenarioReport> {
    const P = withRates(fanoutParams(ctx.quick), ctx.rates);
    const reports = await eachTarget(ctx, 'fanout', targets, (target) => runTarget(ctx, target, P));
    return {
      scenario: 'fanout',
      title:
        `Fan-out: 1 room x ${P.subscribers} subscribers, ${P.publishers} publishers taking turns, ` +
        `rate ladder ${P.ladder[0]}..${P.ladder.at(-1)} msg/s, ${P.stepMs / 1000} s steps, ${P.runs} ramps`,
      quick: ctx.quick,
      params: { ...P, ...(ctx.rates && { rates: ctx.rates }) },
      metrics: [
        { key: 'maxRate', header: `max msg/s (p99<${FANOUT_P99_MS}ms, no loss)`, digits: 0 },
        { key: 'deliveriesPerSec', header: 'deliveries/s @max', digits: 0 },
        { key: 'p50', header: 'p50 ms', digits: 1 },
        { key: 'p99', header: 'p99 ms', digits: 1 },
        { key: 'p999', header: 'p99.9 ms', digits: 1 },
        { key: 'max', header: 'max ms', digits: 1 },
        { key: 'ackP99', header: 'ack p99 ms', digits: 1 },
        { key: 'serverCpu', header: 'server CPU%', digits: 0 },
        { key: 'serverRssMb', header: 'server RSS MB', digits: 0 },
        { key: 'generatorCpu', header: 'gen CPU%', digits: 0 },
        { key: 'othersCpu', header: 'others CPU%', digits: 0 },
        { key: 'eldP99', header: 'gen ELD p99 ms', digits: 1 },
      ],
      targets: reports,
      goals: goals(reports),
      notes: [
        'figures @max: at each ramp\'s highest passing rate; "ack" is send-to-ack (Django: send-to-own-echo)',
        ...reports
          .filter((r) => r.status === 'ok')
          .map((r) => perRateLine(r.target, (r.detail as { runs: RampRun[] }).runs)),
      ],
    };
  },
};

async function runTarget(ctx: ScenarioContext, target: Target, P: ReturnType<typeof fanoutParams>) {
  return withTarget(ctx, target, async (running, pool): Promise<TargetReport> => {
    const sockets = [
      ...Array.from({ length: P.publishers }, () => ({ room: 0, subscribe: false })),
      ...Array.from({ length: P.subscribers }, () => ({ room: 0, subscribe: true })),
    ];
    const specs = await running.provision({ tag: ctx.runTag, rooms: 1, sockets });
    // Publishers alone on worker 0; subscribers spread over the others (all on 0 with a single worker).
    const receiverWorkers = Math.max(1, pool.size - 1);
    // With `reconnect`, a socket that an overloaded server closes comes back (and resumes) before the next ramp.
    const conn = await pool.connect(specs, (s) => (s.subscribe && pool.size > 1 ? 1 + (s.gid % receiverWorkers) : 0), {
      reconnect: true,
    });
    ctx.log(`fanout ${target.name}: ${conn.connected} sockets in ${Math.round(conn.ms)} ms, ${conn.failed} failed`);
    if (conn.failed) ctx.log(`  connect errors: ${conn.errors.join('; ')}`);
    if (!conn.receiversPerRoom[0]) throw new Error(`no subscriber connected: ${conn.errors.join('; ')}`);
    const base = {
      rooms: 1,
      senders: [specs.filter((s) => !s.subscribe).map((s) => s.gid)],
      receiversPerRoom: conn.receiversPerRoom,
      bodyBytes: P.bodyBytes,
      drainMs: P.drainMs,
      procs: () => running.processes(),
    };
    const warm = await runStep(pool, { ...base, rate: P.warmup.rate, durationMs: P.warmup.ms });
    ctx.log(`  warm-up ${P.warmup.rate}/s: ${describeStep(warm)}`);
    await settle(pool, ctx.quick ? 500 : 2000, 60_000);

    const runs = await ramps(ctx, pool, base, {
      ladder: P.ladder,
      stepMs: P.stepMs,
      runs: P.runs,
      sockets: conn.connected,
      p99Ms: FANOUT_P99_MS,
    });
    const atMax = stepsAtMax(runs);
    const pick = (f: (s: StepResult) => number) => spread(atMax.map(f));
    return {
      target: target.name,
      description: running.description,
      status: 'ok',
      headline: {
        maxRate: spread(runs.map((r) => r.maxRate)),
        deliveriesPerSec: pick((s) => s.deliveriesPerSec),
        p50: pick((s) => s.latency.p50),
        p99: pick((s) => s.latency.p99),
        p999: pick((s) => s.latency.p999),
        max: pick((s) => s.latency.max),
        ackP99: pick((s) => s.ack.p99),
        serverCpu: pick((s) => serverCpu(s.procs)),
        serverRssMb: pick((s) => serverRssMb(s.procs)),
        othersCpu: spread(runs.map((r) => spread(r.steps.map((s) => othersCpu(s.procs))).median)),
        generatorCpu: pick((s) => generatorCpu(s.procs)),
        eldP99: spread(runs.map((r) => Math.max(...r.steps.map((s) => s.generatorEldP99Ms)))),
      },
      detail: { connect: { ...conn, perWorker: undefined }, warmup: warm, runs },
    };
  });
}

function goals(reports: TargetReport[]): GoalCheck[] {
  const max = (name: string) => reports.find((r) => r.target === name && r.status === 'ok')?.headline.maxRate?.median;
  const out: GoalCheck[] = [];
  const django = max('django');
  const raw = max('raw');
  for (const salon of ['salon', 'salon-cluster']) {
    const s = max(salon);
    if (s === undefined) continue;
    out.push({
      targets: [salon as TargetName, 'django'],
      goal: `${salon} fan-out >= 10x the Django reference`,
      measured:
        django === undefined ? 'django not run' : `${fmtNum(s, 0)} vs ${fmtNum(django, 0)} msg/s (${ratio(s, django)})`,
      pass: django === undefined ? null : s >= 10 * django,
    });
    out.push({
      targets: [salon as TargetName, 'raw'],
      goal: `${salon} fan-out >= 50% of raw ws`,
      measured: raw === undefined ? 'raw not run' : `${fmtNum(s, 0)} vs ${fmtNum(raw, 0)} msg/s (${pct(s, raw)})`,
      pass: raw === undefined ? null : s >= 0.5 * raw,
    });
  }
  return out;
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}x` : 'the reference passed no step');
const pct = (a: number, b: number) => (b > 0 ? `${Math.round((a / b) * 100)}%` : '–');
