/**
 * `pnpm --filter @q/bench bench [--quick] [--only=q,celery,bullmq] [--no-docs|--docs] [--profile]`
 *
 * Measures q, Python Celery and BullMQ on the same Redis (127.0.0.1:6379, db 5 only, flushed before each
 * scenario and at the end): enqueue, drain with results off and on, apply → result round trips, worker peak
 * RSS. Prints the tables and writes them into docs/benchmarks.md. Every worker is a separate process in its
 * own process group, killed at the end of its scenario and on any exit of the harness.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_ROOT, buildWorkers } from './build.js';
import { parseArgs } from './config.js';
import { bullmq } from './peers/bullmq.js';
import { celery } from './peers/celery.js';
import { q } from './peers/q.js';
import type { Context, System } from './peers/types.js';
import { installCleanup, killAll, liveCount } from './proc.js';
import { flush, openRedis, redisVersion } from './redis.js';
import { renderSection, writeDocs } from './report.js';
import { attempt } from './results.js';
import type { ConfigResults, RunResults } from './results.js';
import { drainScenario } from './scenarios/drain.js';
import { enqueueScenario } from './scenarios/enqueue.js';
import { roundTripScenario } from './scenarios/round-trip.js';

const SYSTEMS: readonly System[] = [q, celery, bullmq];
const DOCS = path.resolve(BENCH_ROOT, '..', '..', 'docs', 'benchmarks.md');
const TEMPLATE = path.join(BENCH_ROOT, 'src', 'docs-template.md');

const log = (line: string): void => console.log(line);
const rate = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const redis = await openRedis();
  installCleanup(async () => {
    await flush(redis);
    redis.disconnect();
  });
  try {
    const { bundles, esbuild, failed } = await buildWorkers();
    for (const [name, error] of failed) console.error(`  ✗ bundling ${name}: ${error}`);
    const ctx: Context = { redis, bundles, buildErrors: failed, profile: options.profile };
    const systems = SYSTEMS.filter((s) => !options.only || options.only.has(s.name));
    const results: RunResults = {
      startedAt: new Date(),
      seconds: 0,
      quick: options.quick,
      loadAverage: os.loadavg(),
      versions: { Node: process.version, Redis: await redisVersion(redis), 'worker bundles': `esbuild ${esbuild}` },
      enqueue: new Map(),
      configs: [],
    };
    const n = options.counts;
    log(`q bench${options.quick ? ' (--quick)' : ''}: enqueue ${n.enqueue}, drain ${n.drain}, drain with results ${n.drainResults}, round trips ${n.roundTrip}`);
    for (const system of systems) {
      const version = await attempt(`${system.title} version`, () => system.version(ctx));
      results.versions[system.title] = version.ok ? version.value : 'unknown';
      log(`\n== ${system.title} (${results.versions[system.title]})`);
      const enq = await attempt(`${system.title} enqueue`, () => enqueueScenario(ctx, system, n.enqueue));
      results.enqueue.set(system.name, enq);
      if (enq.ok) log(`  enqueue ${rate(enq.value.perSecond)}  (${enq.value.method})`);
      for (const config of system.configs) {
        const r: ConfigResults = { system: system.name, config };
        results.configs.push(r);
        r.drain = await attempt(`${config.label} drain`, () => drainScenario(ctx, system, config, n.drain, false));
        if (r.drain.ok) log(`  ${config.label}: drain ${rate(r.drain.value.perSecond)}`);
        r.drainResults = await attempt(`${config.label} drain with results`, () => drainScenario(ctx, system, config, n.drainResults, true));
        if (r.drainResults.ok) log(`  ${config.label}: drain with results ${rate(r.drainResults.value.perSecond)}`);
        r.roundTrip = await attempt(`${config.label} round trip`, () => roundTripScenario(ctx, system, config, n.roundTrip, n.roundTripWarmup));
        if (r.roundTrip.ok) log(`  ${config.label}: round trip p50 ${r.roundTrip.value.p50Ms.toFixed(2)} ms, p99 ${r.roundTrip.value.p99Ms.toFixed(2)} ms`);
      }
    }
    results.seconds = (performance.now() - t0) / 1000;
    const section = renderSection(results);
    log(`\n${section}\n`);
    if (options.writeDocs) {
      writeDocs(DOCS, section, readFileSync(TEMPLATE, 'utf8'));
      log(`wrote ${DOCS}`);
    }
    if (liveCount() > 0) throw new Error(`${liveCount()} child processes still running`);
  } finally {
    killAll();
    await flush(redis).catch(() => undefined);
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
