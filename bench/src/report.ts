import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScenarioReport } from './scenarios/types.js';
import { fmtSpread } from './stats.js';

/** Renders rows as a fixed-width text table (first column left-aligned, the others right-aligned). */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/**
 * Above this much CPU used by the rest of the machine (100 = one core) during a target's runs, its figures say
 * more about the other work than about the target: the row is starred and the goals using it say BUSY.
 */
export const BUSY_OTHERS_CPU = 50;

export function busyTargets(report: ScenarioReport): Set<string> {
  return new Set(
    report.targets.filter((t) => (t.headline.othersCpu?.median ?? 0) > BUSY_OTHERS_CPU).map((t) => t.target),
  );
}

/** The comparison table of one scenario, its goals and notes. */
export function renderScenario(report: ScenarioReport): string {
  const busy = busyTargets(report);
  const header = ['target', ...report.metrics.map((m) => m.header)];
  const rows = report.targets.map((t) => {
    const name = busy.has(t.target) ? `${t.target} *` : t.target;
    if (t.status !== 'ok') return [name, `error: ${t.error ?? ''}`.slice(0, 100)];
    return [
      name,
      ...report.metrics.map((m) => (t.headline[m.key] ? fmtSpread(t.headline[m.key]!, m.digits ?? 1) : '–')),
    ];
  });
  const out = [`== ${report.title}${report.quick ? ' [--quick]' : ''}`, textTable(header, rows)];
  out.push('values: median [min–max] over the measured runs');
  if (busy.size) {
    out.push(
      `* the rest of the machine used more than ${BUSY_OTHERS_CPU}% CPU (median) during these runs: figures unreliable`,
    );
  }
  if (report.goals.length) {
    out.push('goals:');
    for (const g of report.goals) {
      const mark = g.targets.some((t) => busy.has(t)) ? 'BUSY' : g.pass === null ? ' ?  ' : g.pass ? 'PASS' : 'MISS';
      out.push(`  ${mark}  ${g.goal}: ${g.measured}`);
    }
  }
  for (const note of report.notes) out.push(note);
  return out.join('\n');
}

/** Writes `<dir>/<scenario>[-quick|-rates]-<timestamp>.json` and returns its path. */
export async function writeResult(dir: string, report: ScenarioReport, meta: Record<string, unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
  const kind = report.quick ? '-quick' : report.params.rates ? '-rates' : '';
  const file = join(dir, `${report.scenario}${kind}-${stamp}.json`);
  const busy = [...busyTargets(report)];
  await writeFile(file, `${JSON.stringify({ meta, busyTargets: busy, ...report }, null, 2)}\n`);
  return file;
}
