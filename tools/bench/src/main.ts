/**
 * `pnpm --filter @q/bench bench [--broker=redis|amqp|sqs|all] [--quick] [--only=q,celery,bullmq,amqplib]
 *   [--scenario=enqueue,drain,round-trip,chord] [--no-docs|--docs] [--profile]`
 *
 * Measures q against its peers on each broker in turn (default all: Redis, then RabbitMQ, then SQS): enqueue, drain with
 * results off and on, apply → result round trips, worker peak RSS; on Redis also a chord of 10,000 no-op header
 * tasks (q and Celery; `--broker=redis --scenario=chord` runs that row alone, with q's drain with results as its
 * reference).
 * - Redis (127.0.0.1:6379, db 5 only, flushed before each scenario and at the end): q, Python Celery, BullMQ.
 * - RabbitMQ (127.0.0.1:5672, the vhost `q-bench` only, created at start, its queues deleted between scenarios,
 *   the vhost deleted at the end and on any exit): q, Python Celery, and a raw amqplib consumer as a reference.
 * - SQS (an emulator process the bench starts, and a redis-server of its own as the result backend; a fresh queue
 *   prefix per scenario, counts of its own: `SQS_FULL`): q and Python Celery.
 * Prints the tables and writes each broker's block into docs/benchmarks.md (between that broker's markers, so
 * `--broker=amqp` leaves the Redis block as it is), and the chord row into its own block. Every worker is a separate process in its own process group,
 * killed at the end of its scenario and on any exit of the harness.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AmqpBroker } from './brokers/amqp.js';
import { RedisBroker } from './brokers/redis.js';
import { SqsBroker } from './brokers/sqs.js';
import type { Broker } from './brokers/types.js';
import { BENCH_ROOT, buildWorkers } from './build.js';
import { USAGE, countsFor, parseArgs } from './config.js';
import type { BrokerName } from './config.js';
import { amqplib } from './peers/amqplib.js';
import { bullmq } from './peers/bullmq.js';
import { celery } from './peers/celery.js';
import { q } from './peers/q.js';
import type { System } from './peers/types.js';
import { installCleanup, killAll, liveCount } from './proc.js';
import { hasChord, renderChordSection } from './report/chord.js';
import { writeDocs } from './report/docs.js';
import type { BlockName } from './report/docs.js';
import { renderSection } from './report/render.js';
import { runBroker } from './run-broker.js';

const SYSTEMS: readonly System[] = [q, celery, bullmq, amqplib];
const DOCS = path.resolve(BENCH_ROOT, '..', '..', 'docs', 'benchmarks.md');
const TEMPLATE = path.join(BENCH_ROOT, 'src', 'docs-template.md');

const log = (line: string): void => console.log(line);

function openBroker(name: BrokerName): Promise<Broker> {
  if (name === 'sqs') return SqsBroker.open();
  return name === 'redis' ? RedisBroker.open() : AmqpBroker.open();
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const options = parseArgs(process.argv.slice(2));
  const open = new Set<Broker>();
  installCleanup(async () => {
    for (const broker of open) await broker.close();
  });
  try {
    const { bundles, esbuild, failed } = await buildWorkers(options.brokers);
    for (const [name, error] of failed) console.error(`  ✗ bundling ${name}: ${error}`);
    const n = options.counts;
    log(`q bench${options.quick ? ' (--quick)' : ''} on ${options.brokers.join(', ')}: ${[...options.scenarios].join(', ')}; enqueue ${n.enqueue}, drain ${n.drain}, drain with results ${n.drainResults}, round trips ${n.roundTrip}, chord ${n.chord}`);
    const sections = new Map<BlockName, string>();
    // The broker blocks hold the enqueue, drain and round-trip rows; a chord-only run writes the chord block only.
    const brokerRows = (['enqueue', 'drain', 'round-trip'] as const).some((s) => options.scenarios.has(s));
    for (const name of options.brokers) {
      const systems = SYSTEMS.filter((s) => s.brokers.includes(name) && (!options.only || options.only.has(s.name)));
      if (systems.length === 0) continue;
      const broker = await openBroker(name);
      open.add(broker);
      try {
        const ctx = { broker, bundles, buildErrors: failed, profile: options.profile };
        const counts = countsFor(name, options.quick);
        if (counts !== n) log(`\n${broker.title}: counts of its own: enqueue ${counts.enqueue}, drain ${counts.drain}, drain with results ${counts.drainResults}, round trips ${counts.roundTrip}`);
        const results = await runBroker({ ctx, systems, counts, quick: options.quick, scenarios: options.scenarios, versions: { Node: process.version, 'worker bundles': `esbuild ${esbuild}` } });
        if (brokerRows) {
          const section = renderSection(results);
          log(`\n${section}\n`);
          sections.set(name, section);
        }
        if (hasChord(results)) {
          const section = renderChordSection(results);
          log(`\n${section}\n`);
          sections.set('chord', section);
        }
      } finally {
        await broker.close();
        open.delete(broker);
      }
    }
    if (options.writeDocs && sections.size > 0) {
      writeDocs(DOCS, sections, readFileSync(TEMPLATE, 'utf8'));
      log(`wrote ${[...sections.keys()].join(' and ')} results to ${DOCS}`);
    }
    if (liveCount() > 0) throw new Error(`${liveCount()} child processes still running`);
  } finally {
    killAll();
    for (const broker of open) await broker.close().catch(() => undefined);
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
