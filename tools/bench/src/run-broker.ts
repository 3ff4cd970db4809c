/** One broker's part of a run: every system that runs on it, each scenario in turn, into one `RunResults`. */
import os from 'node:os';
import type { Counts, ScenarioName } from './config.js';
import type { Context, System } from './peers/types.js';
import { attempt } from './results.js';
import type { ConfigResults, RunResults } from './results.js';
import { drainScenario } from './scenarios/drain.js';
import { enqueueScenario } from './scenarios/enqueue.js';
import { chordScenario } from './scenarios/chord.js';
import { roundTripScenario } from './scenarios/round-trip.js';
import { describeLogLevel, LOG_LEVEL_CONFIG, logLevelScenario } from './scenarios/log-level.js';

const log = (line: string): void => console.log(line);
const rate = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;

export interface BrokerRun {
  ctx: Context;
  systems: readonly System[];
  counts: Counts;
  quick: boolean;
  /** The scenarios to run. */
  scenarios: ReadonlySet<ScenarioName>;
  /** Versions that are not the broker's or a system's (Node, esbuild). */
  versions: Record<string, string>;
}

export async function runBroker({ ctx, systems: all, counts: n, quick, scenarios, versions }: BrokerRun): Promise<RunResults> {
  const t0 = performance.now();
  const broker = ctx.broker;
  // Systems with nothing to run in the chosen scenarios (BullMQ and amqplib have no chord) are left out.
  const systems = all.filter(
    (s) =>
      scenarios.has('drain') ||
      (scenarios.has('enqueue') && s.enqueue) ||
      (scenarios.has('round-trip') && s.roundTrip) ||
      (scenarios.has('chord') && broker.name === 'redis' && s.chord) ||
      (scenarios.has('log-level') && s.name === 'q'),
  );
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
    counts: { chord: n.chord, drainResults: n.drainResults },
  };
  log(`\n### ${broker.title} (${broker.url})`);
  for (const system of systems) {
    const version = await attempt(`${system.title} version`, () => system.version(ctx));
    results.versions[system.title] = version.ok ? version.value : 'unknown';
    log(`\n== ${system.title} on ${broker.title} (${results.versions[system.title]})`);
    if (system.enqueue && scenarios.has('enqueue')) {
      const enq = await attempt(`${system.title} enqueue`, () => enqueueScenario(ctx, system, n.enqueue));
      results.enqueue.set(system.name, enq);
      if (enq.ok) log(`  enqueue ${rate(enq.value.perSecond)}  (${enq.value.method})`);
    }
    for (const config of system.configs.filter((c) => !c.brokers || c.brokers.includes(broker.name))) {
      const r: ConfigResults = { system: system.name, config };
      results.configs.push(r);
      const chord = scenarios.has('chord') && broker.name === 'redis' && system.chord?.configs.includes(config.id);
      // q's chord is judged against q's own drain with results of the same configuration, measured in this run.
      const drainResults = scenarios.has('drain') || (chord && system.name === 'q');
      if (scenarios.has('drain')) {
        r.drain = await attempt(`${config.label} drain`, () => drainScenario(ctx, system, config, n.drain, false));
        if (r.drain.ok) log(`  ${config.label}: drain ${rate(r.drain.value.perSecond)} (worker CPU ${r.drain.value.cpuUsPerTask.toFixed(0)} µs/task)`);
      }
      if (drainResults) {
        r.drainResults = await attempt(`${config.label} drain with results`, () => drainScenario(ctx, system, config, n.drainResults, true));
        if (r.drainResults.ok) log(`  ${config.label}: drain with results ${rate(r.drainResults.value.perSecond)} (worker CPU ${r.drainResults.value.cpuUsPerTask.toFixed(0)} µs/task)`);
      }
      if (chord) {
        r.chord = await attempt(`${config.label} chord`, () => chordScenario({ ...ctx, profileTag: 'chord-running' }, system, config, n.chord, n.chordWarmup, 'running'));
        if (r.chord.ok) log(`  ${config.label}: chord of ${n.chord}, workers running: ${r.chord.value.seconds.toFixed(2)} s apply → body = ${rate(r.chord.value.perSecond)} (${r.chord.value.applySeconds.toFixed(2)} s in apply)`);
        r.chordPreloaded = await attempt(`${config.label} chord pre-enqueued`, () => chordScenario({ ...ctx, profileTag: 'chord-preloaded' }, system, config, n.chord, n.chordWarmup, 'preloaded'));
        if (r.chordPreloaded.ok) log(`  ${config.label}: chord of ${n.chord}, pre-enqueued: ${r.chordPreloaded.value.seconds.toFixed(2)} s first taken → body = ${rate(r.chordPreloaded.value.perSecond)} (worker CPU ${r.chordPreloaded.value.cpuUsPerTask.toFixed(0)} µs/header task)`);
      }
      if (scenarios.has('log-level') && config.id === LOG_LEVEL_CONFIG) {
        r.logLevel = await attempt(`${config.label} drain with results at INFO vs WARNING`, () => logLevelScenario(ctx, system, config, n.drainResults));
        if (r.logLevel.ok) log(`  ${config.label}: ${describeLogLevel(r.logLevel.value)}`);
      }
      if (system.roundTrip && scenarios.has('round-trip')) {
        r.roundTrip = await attempt(`${config.label} round trip`, () => roundTripScenario(ctx, system, config, n.roundTrip, n.roundTripWarmup));
        if (r.roundTrip.ok) log(`  ${config.label}: round trip p50 ${r.roundTrip.value.p50Ms.toFixed(2)} ms, p99 ${r.roundTrip.value.p99Ms.toFixed(2)} ms`);
      }
    }
  }
  results.seconds = (performance.now() - t0) / 1000;
  return results;
}
