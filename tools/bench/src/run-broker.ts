/** One broker's part of a run: every system that runs on it, each scenario in turn, into one `RunResults`. */
import os from 'node:os';
import type { Counts } from './config.js';
import type { Context, System } from './peers/types.js';
import { attempt } from './results.js';
import type { ConfigResults, RunResults } from './results.js';
import { drainScenario } from './scenarios/drain.js';
import { enqueueScenario } from './scenarios/enqueue.js';
import { roundTripScenario } from './scenarios/round-trip.js';

const log = (line: string): void => console.log(line);
const rate = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;

export interface BrokerRun {
  ctx: Context;
  systems: readonly System[];
  counts: Counts;
  quick: boolean;
  /** Versions that are not the broker's or a system's (Node, esbuild). */
  versions: Record<string, string>;
}

export async function runBroker({ ctx, systems, counts: n, quick, versions }: BrokerRun): Promise<RunResults> {
  const t0 = performance.now();
  const broker = ctx.broker;
  const results: RunResults = {
    broker: broker.name,
    systems: systems.map((s) => ({ name: s.name, title: s.title })),
    startedAt: new Date(),
    seconds: 0,
    quick,
    loadAverage: os.loadavg(),
    versions: { Node: versions['Node'] ?? process.version, [broker.title]: await broker.version(), ...versions },
    enqueue: new Map(),
    configs: [],
  };
  log(`\n### ${broker.title} (${broker.url})`);
  for (const system of systems) {
    const version = await attempt(`${system.title} version`, () => system.version(ctx));
    results.versions[system.title] = version.ok ? version.value : 'unknown';
    log(`\n== ${system.title} on ${broker.title} (${results.versions[system.title]})`);
    if (system.enqueue) {
      const enq = await attempt(`${system.title} enqueue`, () => enqueueScenario(ctx, system, n.enqueue));
      results.enqueue.set(system.name, enq);
      if (enq.ok) log(`  enqueue ${rate(enq.value.perSecond)}  (${enq.value.method})`);
    }
    for (const config of system.configs) {
      const r: ConfigResults = { system: system.name, config };
      results.configs.push(r);
      r.drain = await attempt(`${config.label} drain`, () => drainScenario(ctx, system, config, n.drain, false));
      if (r.drain.ok) log(`  ${config.label}: drain ${rate(r.drain.value.perSecond)} (worker CPU ${r.drain.value.cpuUsPerTask.toFixed(0)} µs/task)`);
      r.drainResults = await attempt(`${config.label} drain with results`, () => drainScenario(ctx, system, config, n.drainResults, true));
      if (r.drainResults.ok) log(`  ${config.label}: drain with results ${rate(r.drainResults.value.perSecond)} (worker CPU ${r.drainResults.value.cpuUsPerTask.toFixed(0)} µs/task)`);
      if (system.roundTrip) {
        r.roundTrip = await attempt(`${config.label} round trip`, () => roundTripScenario(ctx, system, config, n.roundTrip, n.roundTripWarmup));
        if (r.roundTrip.ok) log(`  ${config.label}: round trip p50 ${r.roundTrip.value.p50Ms.toFixed(2)} ms, p99 ${r.roundTrip.value.p99Ms.toFixed(2)} ms`);
      }
    }
  }
  results.seconds = (performance.now() - t0) / 1000;
  return results;
}
