import type { Spread } from '../stats.js';
import type { Target, TargetName } from '../targets/types.js';
import type { ScenarioContext } from './common.js';

export type ScenarioName = 'fanout' | 'rooms' | 'idle' | 'reconnect' | 'crypto';

/** One target's outcome in one scenario. */
export interface TargetReport {
  /** A target, or (crypto scenario) a suite and group size. */
  target: TargetName | string;
  description: string;
  status: 'ok' | 'error';
  error?: string;
  /**
   * Median and range over the measured runs, by metric name (see the scenario's `metrics`). Every scenario
   * also reports `othersCpu`: what the rest of the machine used meanwhile.
   */
  headline: Record<string, Spread>;
  /** Everything measured, run by run, for the JSON file. */
  detail: unknown;
}

export interface GoalCheck {
  goal: string;
  /** The targets whose figures the check uses (a busy machine during their runs makes it unreliable). */
  targets: Array<TargetName | string>;
  /** What was measured, in words. */
  measured: string;
  /** null when a figure needed for the check is missing (a target was not run). */
  pass: boolean | null;
}

export interface ScenarioReport {
  scenario: ScenarioName;
  title: string;
  quick: boolean;
  params: Record<string, unknown>;
  /** Headline metrics in table order: key, column header, digits. */
  metrics: Array<{ key: string; header: string; digits?: number }>;
  targets: TargetReport[];
  goals: GoalCheck[];
  /** Extra lines printed under the table (per-step details and notes). */
  notes: string[];
}

export interface Scenario {
  name: ScenarioName;
  run(ctx: ScenarioContext, targets: Target[]): Promise<ScenarioReport>;
}
