/**
 * Logging's cost: q's drain with results, run with the worker's default logger at INFO (a "received" and a
 * "succeeded in" line per task, as `q worker -l info` writes them, to stderr) and at WARNING (no per-task line),
 * alternated over a few rounds so that both levels see the same machine. Issue 13 asks that INFO cost at most
 * 10 % of the WARNING rate. `--scenario=log-level` runs it (not part of a default run).
 */
import type { DrainMeasure, LogLevelMeasure } from '../results.js';
import type { Context, System, WorkerConfig } from '../peers/types.js';
import { drainScenario } from './drain.js';

/** The configuration the scenario runs (q's fastest drain). */
export const LOG_LEVEL_CONFIG = 'q-async';

/** Rounds of (WARNING, INFO) pairs; the order inside a pair alternates. */
export const LOG_LEVEL_ROUNDS = 5;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function summary(runs: readonly DrainMeasure[]): LogLevelMeasure['warn'] {
  return { perSecond: median(runs.map((r) => r.perSecond)), cpuUsPerTask: median(runs.map((r) => r.cpuUsPerTask)), runs: runs.map((r) => r.perSecond) };
}

/** `rounds` drains with results at each level, `n` tasks each; medians of the rates and of the worker CPU per task. */
export async function logLevelScenario(ctx: Context, system: System, config: WorkerConfig, n: number, rounds = LOG_LEVEL_ROUNDS): Promise<LogLevelMeasure> {
  const runs: Record<'warn' | 'info', DrainMeasure[]> = { warn: [], info: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['warn', 'info'] as const) : (['info', 'warn'] as const);
    for (const logLevel of order) {
      const m = await drainScenario({ ...ctx, logLevel, profileTag: `results-${logLevel}` }, system, config, n, true);
      runs[logLevel].push(m);
    }
  }
  const warn = summary(runs.warn);
  const info = summary(runs.info);
  return { warn, info, cost: 1 - info.perSecond / warn.perSecond, cpuCost: info.cpuUsPerTask / warn.cpuUsPerTask - 1 };
}

const rate = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/** One line for the console and the docs: both rates, the cost, the CPU per task. */
export function describeLogLevel(m: LogLevelMeasure): string {
  return (
    `drain with results at WARNING ${rate(m.warn.perSecond)} (runs ${m.warn.runs.map(rate).join(', ')}; worker CPU ${m.warn.cpuUsPerTask.toFixed(0)} µs/task), ` +
    `at INFO ${rate(m.info.perSecond)} (runs ${m.info.runs.map(rate).join(', ')}; ${m.info.cpuUsPerTask.toFixed(0)} µs/task): ` +
    `INFO costs ${pct(m.cost)} of the rate (target ≤ 10 %), ${pct(m.cpuCost)} more CPU per task`
  );
}
