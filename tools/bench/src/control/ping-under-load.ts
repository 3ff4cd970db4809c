/**
 * Remote control under load (`pnpm --filter @q/bench bench:control`): the two "Must hold" rows of issue 15,
 * measured here rather than in a timed test.
 * - Ping under a flood: `CONTROL_BENCH_TASKS` (100,000: several seconds of drain) no-op tasks (results ignored) are pre-loaded into a queue,
 *   a `q worker -P async` starts on it, and while it drains them the client pings it (`app.control.ping` with that
 *   one destination, so a call ends at the reply) back to back, 25 ms apart: round trip p50 / p99 / max, pings
 *   without a reply within 1 s, the drain rate, and a Redis `PING` after each (what the broker and the machine
 *   add); then the same pings once the worker is idle.
 * - Five workers: five `q worker -P async -c 1` processes; `app.control.ping({ timeout: 1, limit: 5 })` 20 times,
 *   the time until the fifth reply (p50 / max) and the fewest replies one call got; then one call with no limit
 *   (as `q inspect ping` does: it collects for the whole 1 s) and how many nodes it heard.
 *
 * As `bench:pools`, q runs built (`packages/cli/dist/bin.js`, the app bundled by esbuild with `@q/*` external;
 * build the packages first: `pnpm -r build`), or from source through tsx with `CONTROL_BENCH_SOURCE=1`. Redis db
 * 15 (`CONTROL_BENCH_REDIS`) is flushed before and after. The rows go to stdout and, as a Markdown block, to
 * `node_modules/.cache/q-bench/control.md`; `CONTROL_BENCH_SERIES=1` also prints every ping of the drain (when it
 * was sent, its round trip).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { Redis } from 'ioredis';
import { OUT_DIR, bundleBuiltApp } from '../build.js';
import { cloneQueue } from '../brokers/redis-fill.js';
import { quantile } from '../scenarios/round-trip.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const APP = fileURLToPath(new URL('./control-app.ts', import.meta.url));
const URL_ = process.env['CONTROL_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/15';
const TASKS = Number(process.env['CONTROL_BENCH_TASKS'] ?? 100_000);
const FROM_SOURCE = process.env['CONTROL_BENCH_SOURCE'] === '1';
const CLI_DIST = path.join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const BUILT_APP = path.join(OUT_DIR, 'control-app.mjs');
const FLOOD_QUEUE = 'cb-flood';
/** The workers' log level: `info` (a line per task, as Celery's `-l info`) unless `CONTROL_BENCH_LOG_LEVEL` says. */
const LOG_LEVEL = process.env['CONTROL_BENCH_LOG_LEVEL'] ?? 'info';
/** More `q worker` arguments for the flooded worker (`CONTROL_BENCH_WORKER_ARGS="-c 10 --prefetch-multiplier 1"`). */
const EXTRA_ARGS = (process.env['CONTROL_BENCH_WORKER_ARGS'] ?? '').split(' ').filter((a) => a !== '');
/** The round trip every ping must stay under while the worker drains (issue 15). */
const TARGET_MS = 200;

async function buildApp(): Promise<void> {
  await bundleBuiltApp(APP, BUILT_APP);
}

interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `q worker -n <node> …args` and resolves once it logged `<node> ready`. */
async function startWorker(node: string, args: readonly string[]): Promise<Running> {
  const command = FROM_SOURCE
    ? ['--conditions=@q/source', '--import', 'tsx', 'packages/cli/src/bin.ts', '-A', APP]
    : [CLI_DIST, '-A', BUILT_APP];
  const child = spawn(process.execPath, [...command, '-l', LOG_LEVEL, 'worker', '-n', node, ...args], {
    cwd: ROOT,
    env: { ...process.env, CONTROL_BENCH_REDIS: URL_ },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.includes(`${node} ready`)) ready();
  };
  let ready = (): void => undefined;
  await new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker ${node} exited (${code}) before it was ready: ${out}`)));
  });
  // from now on its log (a line per task at info) is read and dropped: keeping it would cost this process more
  // and more CPU, on the machine the worker runs on
  child.stdout?.off('data', onData);
  child.stderr?.off('data', onData);
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** One ping of `node`: its round trip in ms, or null when no reply came within 1 s. */
async function ping(client: App, node: string): Promise<number | null> {
  const started = performance.now();
  const replies = await client.control.ping({ destination: [node], timeout: 1 });
  return replies.length === 1 ? performance.now() - started : null;
}

interface PingStats {
  count: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
}

function stats(samples: readonly (number | null)[]): PingStats {
  const got = samples.filter((s): s is number => s !== null).sort((a, b) => a - b);
  return { count: samples.length, missed: samples.length - got.length, p50: quantile(got, 0.5), p99: quantile(got, 0.99), max: got.at(-1) ?? Number.NaN };
}

/** Pre-loads the flood, starts the worker on it, pings it while it drains, then while it is idle. */
async function pingUnderLoad(client: App, redis: Redis): Promise<{ busy: PingStats; idle: PingStats; redis: PingStats; drainSeconds: number }> {
  await client.sendTask('cb.noop', [], {}, { queue: FLOOD_QUEUE });
  await cloneQueue(redis, FLOOD_QUEUE, TASKS);
  const node = 'cb-load@bench';
  const worker = await startWorker(node, ['-P', 'async', '-Q', FLOOD_QUEUE, '--without-mingle', ...EXTRA_ARGS]);
  const started = performance.now();
  try {
    let drainedAt = 0;
    const watch = (async () => {
      for (;;) {
        const [queued, unacked] = await Promise.all([redis.llen(FLOOD_QUEUE), redis.hlen('unacked')]);
        if (queued === 0 && unacked === 0) {
          drainedAt = performance.now();
          return;
        }
        await delay(20);
      }
    })();
    const busy: (number | null)[] = [];
    const redisPings: number[] = [];
    const series: string[] = [];
    while (drainedAt === 0) {
      const at = performance.now() - started;
      const rtt = await ping(client, node);
      busy.push(rtt);
      // the broker's own round trip at the same moment: a slow Redis or a starved machine shows here too
      const redisStarted = performance.now();
      await redis.ping();
      const redisRtt = performance.now() - redisStarted;
      redisPings.push(redisRtt);
      series.push(`${Math.round(at)}:${rtt === null ? 'none' : Math.round(rtt)}/${Math.round(redisRtt)}`);
      await delay(25);
    }
    if (process.env['CONTROL_BENCH_SERIES'] === '1') {
      process.stdout.write(`pings while draining (ms after ready: control ping / Redis PING round trip, ms): ${series.join(' ')}\n`);
    }
    await watch;
    const idle: (number | null)[] = [];
    for (let i = 0; i < 40; i++) {
      idle.push(await ping(client, node));
      await delay(25);
    }
    if (process.env['CONTROL_BENCH_SERIES'] === '1') {
      process.stdout.write(`pings once drained (round trip, ms): ${idle.map((x) => (x === null ? 'none' : Math.round(x))).join(' ')}\n`);
    }
    return { busy: stats(busy), idle: stats(idle), redis: stats(redisPings), drainSeconds: (drainedAt - started) / 1000 };
  } finally {
    await worker.stop();
  }
}

/** Five workers: time to the fifth reply over 20 limited pings, and how many one unlimited 1 s ping hears. */
async function fiveWorkers(client: App): Promise<{ toFifth: PingStats; fewest: number; unlimited: number }> {
  const nodes = [1, 2, 3, 4, 5].map((i) => `cb-five${i}@bench`);
  const workers: Running[] = [];
  try {
    for (const node of nodes) workers.push(await startWorker(node, ['-P', 'async', '-c', '1', '-Q', 'cb-five', '--without-mingle']));
    const times: (number | null)[] = [];
    let fewest = nodes.length;
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const replies = await client.control.ping({ timeout: 1, limit: nodes.length });
      fewest = Math.min(fewest, replies.length);
      times.push(replies.length === nodes.length ? performance.now() - started : null);
      await delay(50);
    }
    const unlimited = (await client.control.ping()).length;
    return { toFifth: stats(times), fewest, unlimited };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function main(): Promise<void> {
  if (!FROM_SOURCE) {
    if (!existsSync(CLI_DIST)) throw new Error(`${CLI_DIST} is missing: build the packages first (pnpm -r build), or CONTROL_BENCH_SOURCE=1`);
    await buildApp();
  }
  const redis = new Redis(URL_, { maxRetriesPerRequest: 2 });
  await redis.flushdb();
  const client = createApp({ name: 'control-bench', broker: URL_, backend: URL_ });
  const row = (text: string): void => void process.stdout.write(`${text}\n`);
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  const met = (ok: boolean): string => (ok ? 'met' : 'not met');
  try {
    // the client's reply queue and connection exist before anything is timed
    await client.control.ping({ destination: ['nobody@bench'], timeout: 0.2 });
    row(`control bench: ${TASKS} no-op tasks (results ignored); Redis ${URL_}; q ${FROM_SOURCE ? 'from source (tsx)' : 'built (packages/*/dist)'}; worker -l ${LOG_LEVEL} -P async ${EXTRA_ARGS.join(' ')}`);
    const load = await pingUnderLoad(client, redis);
    const rate = TASKS / load.drainSeconds;
    const line = (s: PingStats): string => `${s.count} pings, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}, ${s.missed} unanswered`;
    row(`drain: ${load.drainSeconds.toFixed(2)} s (${Math.round(rate)} tasks/s, from ready to an empty queue)`);
    row(`ping while draining: ${line(load.busy)}`);
    row(`Redis PING from the client, between those pings: ${line(load.redis)}`);
    row(`ping idle: ${line(load.idle)}`);
    const five = await fiveWorkers(client);
    row(`five workers: fifth reply p50 ${ms(five.toFifth.p50)}, max ${ms(five.toFifth.max)}; fewest replies in a call ${five.fewest}; one 1 s ping heard ${five.unlimited}`);

    const busyOk = load.busy.missed === 0 && load.busy.max < TARGET_MS;
    const table = [
      '| row | q | target (issue 15) |',
      '|---|---:|---|',
      `| no-op drain, \`async\` (results ignored, ${TASKS.toLocaleString('en-US')} tasks) | ${Math.round(rate).toLocaleString('en-US')} tasks/s | — |`,
      `| ping round trip while it drains (${load.busy.count} pings) | p50 ${ms(load.busy.p50)}, p99 ${ms(load.busy.p99)}, max ${ms(load.busy.max)}, ${load.busy.missed} unanswered | every ping < ${TARGET_MS} ms: ${met(busyOk)} |`,
      `| Redis \`PING\` round trip between those pings (the broker and the machine, for reference) | p50 ${ms(load.redis.p50)}, p99 ${ms(load.redis.p99)}, max ${ms(load.redis.max)} | — |`,
      `| ping round trip, idle worker (${load.idle.count} pings) | p50 ${ms(load.idle.p50)}, p99 ${ms(load.idle.p99)}, max ${ms(load.idle.max)} | — |`,
      `| \`ping\` to 5 workers, until the fifth reply (20 calls) | p50 ${ms(five.toFifth.p50)}, max ${ms(five.toFifth.max)}; fewest replies ${five.fewest} / 5 | all 5 within the default 1 s: ${met(five.fewest === 5 && five.toFifth.max < 1000 && five.unlimited === 5)} |`,
    ];
    // a busy machine shows in the Redis PING row and here: compare runs at a similar load
    const load1 = loadavg()[0] ?? 0;
    row(`load average (1 min) at the end: ${load1.toFixed(2)}`);
    table.push('', `Load average (1 min) at the end of the run: ${load1.toFixed(2)}; worker \`-l ${LOG_LEVEL} -P async ${EXTRA_ARGS.join(' ')}\`.`.replace(' `.', '`.'));
    const md = ['<!-- control-bench:begin (generated by `pnpm --filter @q/bench bench:control`) -->', ...table, '<!-- control-bench:end -->', ''].join('\n');
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(path.join(OUT_DIR, 'control.md'), md);
    process.stdout.write(`\n${md}`);
  } finally {
    await client.close();
    await redis.flushdb();
    await redis.quit();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
