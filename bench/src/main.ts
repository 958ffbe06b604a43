/**
 * `npm run bench -- [--quick] [--scenario fanout|rooms|idle|all] [--targets salon,salon-cluster,django,raw]`
 *
 * Runs each scenario against each target in turn (a target is started for the scenario and stopped after it),
 * prints a comparison table per scenario and writes `bench/results/<scenario>[-quick]-<timestamp>.json`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureEpochOffset, monoMs } from './clock.js';
import { renderScenario, writeResult } from './report.js';
import type { ScenarioContext } from './scenarios/common.js';
import { crypto } from './scenarios/crypto.js';
import { fanout } from './scenarios/fanout.js';
import { idle } from './scenarios/idle.js';
import { reconnect } from './scenarios/reconnect.js';
import { rooms } from './scenarios/rooms.js';
import type { Scenario, ScenarioName } from './scenarios/types.js';
import { type RunningTarget, TARGET_NAMES, TARGETS, type TargetName } from './targets/index.js';
import { killAllChildren } from './targets/process.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(BENCH_DIR, '..');
const SCENARIOS: Record<ScenarioName, Scenario> = { fanout, rooms, idle, reconnect, crypto };
const ALL: ScenarioName[] = ['fanout', 'rooms', 'idle', 'reconnect', 'crypto'];
/** `--quick` without `--scenario`: what fits in its 3-minute budget (the storm is opt-in there). */
const QUICK_DEFAULT: ScenarioName[] = ['fanout', 'rooms', 'idle', 'crypto'];

const USAGE = `usage: npm run bench -- [options]
  --quick                 smaller and shorter (the whole default run in under 3 minutes)
  --scenario LIST         comma-separated from fanout,rooms,idle,reconnect,crypto, or all (the default; with
                          --quick the default is fanout,rooms,idle,crypto, to stay within 3 minutes)
  --targets LIST          comma-separated from ${TARGET_NAMES.join(',')} (default all)
  --workers N             generator threads (default 3: one for publishers, two for receivers)
  --rates LIST            fan-out and many rooms: these rates instead of the ladder, one ramp (e.g. 500 to
                          profile a target at one rate with BENCH_SERVER_NODE_ARGS="--cpu-prof ...")
  --out DIR               where the JSON results go (default bench/results)
  --help`;

function parseCli() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      targets: { type: 'string', default: TARGET_NAMES.join(',') },
      workers: { type: 'string', default: '3' },
      rates: { type: 'string' },
      out: { type: 'string', default: join(BENCH_DIR, 'results') },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scenarioNames: ScenarioName[] =
    values.scenario === undefined
      ? values.quick
        ? QUICK_DEFAULT
        : ALL
      : values.scenario === 'all'
        ? ALL
        : values.scenario.split(',').map((s) => {
            if (!(s in SCENARIOS)) throw new Error(`unknown scenario ${s}\n${USAGE}`);
            return s as ScenarioName;
          });
  const targets = values.targets.split(',').map((t) => {
    if (!(TARGET_NAMES as readonly string[]).includes(t)) throw new Error(`unknown target ${t}\n${USAGE}`);
    return t as TargetName;
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error('--workers must be 1..16');
  const rates = values.rates?.split(',').map(Number);
  if (rates?.some((r) => !(r > 0))) throw new Error('--rates must be positive numbers');
  return { quick: values.quick, scenarioNames, targets, workers, rates, out: values.out };
}

/** Cleanups of whatever is running (targets, worker pools), run on signals and crashes. */
const cleanups = new Set<() => Promise<void>>();

async function runCleanups(): Promise<void> {
  const all = [...cleanups].reverse();
  cleanups.clear();
  await Promise.race([
    Promise.allSettled(all.map((fn) => fn())),
    new Promise((resolve) => setTimeout(resolve, 15_000).unref()),
  ]);
  killAllChildren();
}

let exiting = false;
function fatal(why: string, code: number): void {
  if (exiting) return;
  exiting = true;
  console.error(`bench: ${why}; stopping everything it started`);
  void runCleanups().finally(() => process.exit(code));
  setTimeout(() => {
    killAllChildren();
    process.exit(code);
  }, 20_000).unref();
}

async function openFilesLimit(): Promise<number> {
  try {
    const limits = await readFile('/proc/self/limits', 'utf8');
    const m = /Max open files\s+(\d+)/.exec(limits);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function gitInfo(): { commit: string; dirty: string[] } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps/server', 'packages'], {
      cwd: REPO_DIR,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: [] };
  }
}

async function main(): Promise<void> {
  const opts = parseCli();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => fatal(signal, 130));
  process.on('uncaughtException', (err) => {
    console.error(err);
    fatal('uncaught exception', 1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    fatal('unhandled rejection', 1);
  });
  process.on('exit', () => killAllChildren());

  const started = monoMs();
  const runTag = randomBytes(3).toString('hex');
  const scratchDir = join(BENCH_DIR, 'results', 'tmp', `${new Date().toISOString().replace(/[:.]/g, '-')}-${runTag}`);
  await mkdir(scratchDir, { recursive: true });
  const log = (line: string) => console.error(`[${((monoMs() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  const git = gitInfo();
  const meta = {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavgAtStart: loadavg(),
    openFilesLimit: await openFilesLimit(),
    commit: git.commit,
    uncommittedServerFiles: git.dirty.length,
    quick: opts.quick,
    workers: opts.workers,
    ...(opts.rates && { rates: opts.rates }),
    targets: opts.targets,
    note: 'Generator and servers share this machine; other work running at the same time adds noise.',
  };
  log(
    `bench ${opts.quick ? '--quick ' : ''}scenarios=${opts.scenarioNames.join(',')} targets=${opts.targets.join(',')}`,
  );
  log(`logs and scratch data: ${scratchDir}`);
  if (git.dirty.length)
    log(`note: ${git.dirty.length} uncommitted files under apps/server and packages (measured as built)`);

  let failures = 0;
  // --quick: one start per target for the whole run (the starts would take a good part of its 3 minutes).
  const shared = opts.quick ? new Map<TargetName, RunningTarget>() : null;
  if (shared) {
    cleanups.add(async () => {
      await Promise.allSettled([...shared.values()].map((r) => r.stop()));
    });
  }
  for (const name of opts.scenarioNames) {
    if (exiting) break;
    const ctx: ScenarioContext = {
      quick: opts.quick,
      workers: opts.workers,
      ...(opts.rates && { rates: opts.rates }),
      scratchDir,
      epochOffset: measureEpochOffset(),
      runTag: `${runTag}${name[0]}`,
      log,
      aborted: () => exiting,
      shared,
      onCleanup(fn) {
        cleanups.add(fn);
        return () => cleanups.delete(fn);
      },
      // Safety net only (ramps stop climbing past it): the parameters are sized to finish well before it.
      deadline: monoMs() + (opts.quick ? 600_000 : 4 * 3_600_000),
    };
    log(`scenario ${name}`);
    const report = await SCENARIOS[name].run(
      ctx,
      opts.targets.map((t) => TARGETS[t]),
    );
    const file = await writeResult(opts.out, report, { ...meta, loadavgAtEnd: loadavg() });
    if (report.targets.some((t) => t.status !== 'ok')) failures++;
    const text = renderScenario(report);
    log(`wrote ${file}`);
    console.log(`${text}\n`);
  }
  if (shared) {
    for (const [name, running] of shared) {
      await running.stop();
      log(`${name} stopped`);
    }
    shared.clear();
  }
  log(`done in ${((monoMs() - started) / 1000).toFixed(0)} s`);
  // Logs are kept only when something failed.
  if (failures === 0) await rm(scratchDir, { recursive: true, force: true });
  else log(`${failures} scenario(s) had a failing target: see the logs in ${scratchDir}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    fatal('failed', 1);
  },
);
