/**
 * The benchmark payload. Every published body starts with `~b|<step>|<index>|<intended epoch ms>|` and is padded
 * to a fixed length. The receiver finds the marker in the raw frame text (no JSON parse on the hot path); the
 * characters used need no JSON escaping, so the marker reads the same inside any JSON string.
 */
export const MARKER = '~b|';

export function makeBody(step: number, index: number, intendedEpochMs: number, length: number): string {
  const head = `${MARKER}${step}|${index}|${intendedEpochMs.toFixed(3)}|`;
  return head.length >= length ? head : head + 'x'.repeat(length - head.length);
}

export interface ParsedBody {
  step: number;
  index: number;
  intendedEpochMs: number;
}

/** Parses the marker out of a frame's text; null when the frame carries no benchmark body. */
export function parseBody(text: string): ParsedBody | null {
  const at = text.indexOf(MARKER);
  if (at < 0) return null;
  const a = at + MARKER.length;
  const b = text.indexOf('|', a);
  const c = b < 0 ? -1 : text.indexOf('|', b + 1);
  const d = c < 0 ? -1 : text.indexOf('|', c + 1);
  if (d < 0) return null;
  const step = Number(text.slice(a, b));
  const index = Number(text.slice(b + 1, c));
  const intendedEpochMs = Number(text.slice(c + 1, d));
  if (!Number.isFinite(step) || !Number.isFinite(index) || !Number.isFinite(intendedEpochMs)) return null;
  return { step, index, intendedEpochMs };
}

/** Reads the integer after `"key":` (optionally followed by a space) in a JSON text; NaN when absent. */
export function readIntField(text: string, key: string): number {
  const at = text.indexOf(key);
  if (at < 0) return Number.NaN;
  let i = at + key.length;
  while (text.charCodeAt(i) === 32) i++;
  let n = 0;
  let digits = 0;
  for (let ch = text.charCodeAt(i); ch >= 48 && ch <= 57; ch = text.charCodeAt(++i)) {
    n = n * 10 + (ch - 48);
    digits++;
  }
  return digits ? n : Number.NaN;
}
