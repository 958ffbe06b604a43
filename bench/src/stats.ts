import hdr from 'hdr-histogram-js';

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

const EMPTY: LatencySummary = { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };

/** Merges histograms (compressed base64 from the workers, values in µs) and summarizes them in ms. */
export function mergeLatency(encoded: string[]): LatencySummary {
  let merged: ReturnType<typeof hdr.decodeFromCompressedBase64> | null = null;
  for (const e of encoded) {
    const h = hdr.decodeFromCompressedBase64(e);
    if (h.totalCount === 0) continue;
    if (merged) merged.add(h);
    else merged = h;
  }
  if (!merged) return { ...EMPTY };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: merged.totalCount,
    p50: ms(merged.getValueAtPercentile(50)),
    p99: ms(merged.getValueAtPercentile(99)),
    p999: ms(merged.getValueAtPercentile(99.9)),
    max: ms(merged.maxValue),
  };
}

/** Median and range of a series of runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

/** `12.3 [10.1–15.0]`, or just the value when there was one run or no spread. */
export function fmtSpread(s: Spread, digits = 1, unit = ''): string {
  if (s.n === 0) return '–';
  const f = (x: number) => fmtNum(x, digits);
  if (s.n === 1 || s.min === s.max) return `${f(s.median)}${unit}`;
  return `${f(s.median)}${unit} [${f(s.min)}–${f(s.max)}]`;
}

export function fmtNum(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 10_000) return `${(x / 1000).toFixed(Math.abs(x) >= 100_000 ? 0 : 1)}k`;
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}
