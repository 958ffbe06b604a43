import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monoMs } from './clock.js';
import type { ProcRef } from './targets/types.js';

/** Kernel clock ticks per second (utime/stime unit in /proc/<pid>/stat), usually 100. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** utime + stime of all threads, in seconds. */
  cpuSeconds: number;
  rssKb: number;
}

/** Reads /proc/<pid>/stat (CPU) and /proc/<pid>/status (VmRSS); null once the process is gone. */
export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ..." — comm may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) state".
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { cpuSeconds, rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function readMachine(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - v[3]! - v[4]!, total };
  } catch {
    return null;
  }
}

const CORES = availableParallelism();

/** CPU (100 = one core) and memory of one label (summed over its processes, e.g. PostgreSQL backends). */
export interface ProcUsage {
  label: string;
  /** `machine`: every CPU of the box; `others`: what the machine spent outside the sampled processes. */
  role: ProcRef['role'] | 'generator' | 'machine' | 'others';
  processes: number;
  cpuPct: number;
  rssKbEnd: number;
  rssKbMax: number;
}

/**
 * Samples a set of processes over a window: CPU from the utime+stime delta between start and stop, RSS at
 * every tick (`intervalMs`) for the maximum and at stop. The bench process itself is included as `generator`.
 */
export class ProcSampler {
  private readonly start = new Map<number, ProcSample>();
  private readonly maxRss = new Map<number, number>();
  private readonly procs: Array<ProcRef | { label: string; pid: number; role: 'generator' }>;
  private t0 = 0;
  private readonly machine0 = readMachine();
  private timer: NodeJS.Timeout | null = null;

  constructor(procs: ProcRef[], intervalMs = 500) {
    this.procs = [...procs, { label: 'generator', pid: process.pid, role: 'generator' }];
    this.t0 = monoMs();
    for (const p of this.procs) {
      const s = readProc(p.pid);
      if (s) {
        this.start.set(p.pid, s);
        this.maxRss.set(p.pid, s.rssKb);
      }
    }
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Adds processes started during the window (a restarted server): their CPU counts from now on. */
  follow(procs: ProcRef[]): void {
    for (const p of procs) {
      if (this.procs.some((q) => q.pid === p.pid)) continue;
      this.procs.push(p);
      const s = readProc(p.pid);
      if (s) {
        this.start.set(p.pid, s);
        this.maxRss.set(p.pid, s.rssKb);
      }
    }
  }

  private tick(): void {
    for (const p of this.procs) {
      const s = readProc(p.pid);
      if (s) this.maxRss.set(p.pid, Math.max(this.maxRss.get(p.pid) ?? 0, s.rssKb));
    }
  }

  stop(): ProcUsage[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const seconds = Math.max(1e-3, (monoMs() - this.t0) / 1000);
    const byLabel = new Map<string, ProcUsage>();
    for (const p of this.procs) {
      const a = this.start.get(p.pid);
      const b = readProc(p.pid);
      if (!a || !b) continue;
      const u = byLabel.get(p.label) ?? {
        label: p.label,
        role: p.role,
        processes: 0,
        cpuPct: 0,
        rssKbEnd: 0,
        rssKbMax: 0,
      };
      u.processes++;
      u.cpuPct += ((b.cpuSeconds - a.cpuSeconds) / seconds) * 100;
      u.rssKbEnd += b.rssKb;
      u.rssKbMax += Math.max(this.maxRss.get(p.pid) ?? 0, b.rssKb);
      byLabel.set(p.label, u);
    }
    const usages = [...byLabel.values()];
    const m1 = readMachine();
    if (this.machine0 && m1 && m1.total > this.machine0.total) {
      const machine = ((m1.busy - this.machine0.busy) / (m1.total - this.machine0.total)) * CORES * 100;
      const ours = usages.reduce((a, u) => a + u.cpuPct, 0);
      const blank = { processes: 0, rssKbEnd: 0, rssKbMax: 0 };
      usages.push({ label: 'machine', role: 'machine', cpuPct: machine, ...blank });
      usages.push({ label: 'others', role: 'others', cpuPct: Math.max(0, machine - ours), ...blank });
    }
    return usages.map((u) => ({ ...u, cpuPct: Math.round(u.cpuPct * 10) / 10 }));
  }
}

/** Total RSS in kB of the given processes right now (0 for those that are gone). */
export function totalRssKb(procs: ProcRef[]): number {
  let kb = 0;
  for (const p of procs) kb += readProc(p.pid)?.rssKb ?? 0;
  return kb;
}

/**
 * Total RSS of `procs` once it stops moving: sampled every `intervalMs`, stable when the last `samples` values
 * are within `toleranceKb` of each other, or at `maxMs` (then the last value, flagged unstable).
 */
export async function stableRssKb(
  procs: ProcRef[],
  opts: { intervalMs?: number; samples?: number; toleranceKb?: number; maxMs: number },
): Promise<{ kb: number; stable: boolean; waitedMs: number }> {
  const interval = opts.intervalMs ?? 500;
  const samples = opts.samples ?? 4;
  const tolerance = opts.toleranceKb ?? 1024;
  const t0 = monoMs();
  const seen: number[] = [];
  for (;;) {
    seen.push(totalRssKb(procs));
    const last = seen.slice(-samples);
    if (last.length === samples && Math.max(...last) - Math.min(...last) <= tolerance) {
      return { kb: last.at(-1)!, stable: true, waitedMs: Math.round(monoMs() - t0) };
    }
    if (monoMs() - t0 > opts.maxMs) return { kb: seen.at(-1)!, stable: false, waitedMs: Math.round(monoMs() - t0) };
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
