/** What a run collects on one broker, per system and per worker configuration. */
import type { BrokerName } from './config.js';
import type { TreeRss } from './rss.js';
import type { SystemName, WorkerConfig } from './peers/types.js';

/** A measured value or why there is none. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface EnqueueMeasure {
  perSecond: number;
  seconds: number;
  method: string;
}

export interface DrainMeasure {
  perSecond: number;
  seconds: number;
  /** Peak RSS of the worker tree during this drain. */
  rss: TreeRss | null;
  /** Worker CPU (user + system) per task, µs: steadier than the rate on a busy machine. */
  cpuUsPerTask: number;
}

export interface RoundTripMeasure {
  p50Ms: number;
  /** The 90th percentile (`bench:pg` reports it). */
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  rss: TreeRss | null;
}

/** The chord scenario: a chord of N no-op header tasks and a body that counts their results (Redis). */
export interface ChordMeasure {
  /** Header tasks per second: N / seconds. */
  perSecond: number;
  /**
   * Workers running: from the client's apply call to the body's result (as the client sees it).
   * Pre-enqueued: from the first poll that sees a header message taken to the first that sees the body's result.
   */
  seconds: number;
  /** Time the client spent in the apply call (workers running: inside `seconds`; pre-enqueued: not timed). */
  applySeconds: number;
  /** Worker CPU (user + system) per header task, µs. */
  cpuUsPerTask: number;
  rss: TreeRss | null;
}

/** The log-level scenario: drain with results at WARNING and at INFO (medians of a few alternated runs). */
export interface LogLevelMeasure {
  warn: { perSecond: number; cpuUsPerTask: number; runs: number[] };
  info: { perSecond: number; cpuUsPerTask: number; runs: number[] };
  /** 1 − INFO rate / WARNING rate (issue 13: ≤ 0.10). */
  cost: number;
  /** INFO's worker CPU per task / WARNING's − 1. */
  cpuCost: number;
}

export interface ConfigResults {
  system: SystemName;
  config: WorkerConfig;
  drain?: Outcome<DrainMeasure>;
  drainResults?: Outcome<DrainMeasure>;
  roundTrip?: Outcome<RoundTripMeasure>;
  /** Chord, workers already running: apply → body's result. */
  chord?: Outcome<ChordMeasure>;
  /** Chord applied before the worker starts: first header task taken → body's result stored. */
  chordPreloaded?: Outcome<ChordMeasure>;
  /** Drain with results at INFO vs WARNING (`--scenario=log-level`, q async only). */
  logLevel?: Outcome<LogLevelMeasure>;
}

export interface RunResults {
  broker: BrokerName;
  /** The systems that ran, in order, with their display names. */
  systems: { name: SystemName; title: string }[];
  startedAt: Date;
  seconds: number;
  quick: boolean;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverage: number[];
  versions: Record<string, string>;
  enqueue: Map<SystemName, Outcome<EnqueueMeasure>>;
  configs: ConfigResults[];
  /** The counts of this run (the chord report names the chord's size). */
  counts?: { chord: number; drainResults: number };
}

/** Runs `fn`, turning a throw into a failed outcome (the run goes on with the next scenario). */
export async function attempt<T>(label: string, fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`  ✗ ${label}: ${message.split('\n').slice(0, 12).join('\n    ')}`);
    return { ok: false, error: message.split('\n')[0] ?? 'failed' };
  }
}

/** Peak RSS of a configuration: the largest over its worker processes (one per scenario). */
export function peakOf(results: ConfigResults): TreeRss | null {
  const all = [results.drain, results.drainResults, results.roundTrip]
    .map((o) => (o?.ok ? o.value.rss : null))
    .filter((r): r is TreeRss => r !== null);
  return all.reduce<TreeRss | null>((best, r) => (best === null || r.total > best.total ? r : best), null);
}
