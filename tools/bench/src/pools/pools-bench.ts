/**
 * Pool benchmarks (`pnpm --filter @q/bench bench:pools`): a real `q worker -P <pool>` on Redis, timed from the first
 * send to the last result.
 * - CPU-bound: 2,000 tasks of ~5 ms each on `solo`, `prefork -c 2`, `threads -c 2`, with peak RSS of the worker
 *   process tree (parent + children).
 * - No-op drain with results: `threads -c 2` against `async`.
 * - Hard limit: an endless synchronous loop with a 2 s limit on `prefork` and `threads`: when it fails, and how soon the
 *   next task runs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import type { App, AsyncResult } from '@q/core';
import { descendants, peakRss } from '../rss.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const APP = fileURLToPath(new URL('./pools-app.ts', import.meta.url));
const URL_ = process.env['POOLS_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/7';
const CPU_TASKS = Number(process.env['POOLS_BENCH_CPU_TASKS'] ?? 2000);
const NOOP_TASKS = Number(process.env['POOLS_BENCH_NOOP_TASKS'] ?? 10000);

interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startWorker(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--conditions=@q/source', '--import', 'tsx', 'packages/cli/src/bin.ts', '-A', APP, '-l', 'warning', 'worker', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('[queues]')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${out}`)));
  });
  child.stdout?.resume();
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Peak RSS (MB) of the worker's process tree, sampled while it runs. */
function rssSampler(root: number): { stop(): number } {
  const peaks = new Map<number, number>();
  const sample = (): void => {
    for (const pid of [root, ...descendants(root)]) {
      const rss = peakRss(pid);
      if (rss !== null) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, rss));
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return [...peaks.values()].reduce((a, b) => a + b, 0) / 1024 / 1024;
    },
  };
}

async function sendAll(client: App, name: string, count: number, args: unknown[]): Promise<AsyncResult<unknown>[]> {
  const out: AsyncResult<unknown>[] = [];
  for (let i = 0; i < count; i += 500) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(500, count - i) }, () => client.sendTask(name, args)))));
  }
  return out;
}

async function timed(client: App, pool: string[], name: string, count: number, args: unknown[]): Promise<{ seconds: number; rssMb: number }> {
  const worker = await startWorker(pool);
  try {
    // Warm up: every child has loaded the app.
    await Promise.all((await sendAll(client, 'pb.noop', 8, [])).map((r) => r.get({ timeout: 60 })));
    const rss = rssSampler(worker.child.pid ?? 0);
    const started = performance.now();
    const results = await sendAll(client, name, count, args);
    for (const r of results) await r.get({ timeout: 600 });
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rssMb: rss.stop() };
  } finally {
    await worker.stop();
  }
}

async function hardLimit(client: App, pool: string): Promise<{ failedAfter: number; nextAfter: number }> {
  const worker = await startWorker(['-P', pool, '-c', '2', '--time-limit', '2']);
  try {
    await Promise.all((await sendAll(client, 'pb.noop', 4, [])).map((r) => r.get({ timeout: 60 })));
    const started = performance.now();
    const spin = await client.sendTask('pb.spin');
    await spin.get({ timeout: 30 }).catch(() => undefined);
    const failedAfter = (performance.now() - started) / 1000;
    const next = performance.now();
    await (await client.sendTask('pb.noop')).get({ timeout: 30 });
    return { failedAfter, nextAfter: (performance.now() - next) / 1000 };
  } finally {
    await worker.stop();
  }
}

async function main(): Promise<void> {
  const client = createApp({ name: 'pools-bench', broker: URL_, backend: URL_ });
  const lines: string[] = [];
  const row = (text: string): void => {
    lines.push(text);
    process.stdout.write(`${text}\n`);
  };
  row(`pools bench: ${CPU_TASKS} CPU-bound tasks of 5 ms; ${NOOP_TASKS} no-op tasks with results; Redis ${URL_}`);
  const solo = await timed(client, ['-P', 'solo'], 'pb.cpu', CPU_TASKS, [5]);
  row(`cpu solo: ${solo.seconds.toFixed(2)} s, peak RSS ${solo.rssMb.toFixed(1)} MB`);
  for (const pool of ['prefork', 'threads']) {
    const r = await timed(client, ['-P', pool, '-c', '2'], 'pb.cpu', CPU_TASKS, [5]);
    row(`cpu ${pool} -c 2: ${r.seconds.toFixed(2)} s (${((r.seconds / solo.seconds) * 100).toFixed(0)} % of solo), peak RSS (parent + children) ${r.rssMb.toFixed(1)} MB`);
  }
  const asyncDrain = await timed(client, ['-P', 'async'], 'pb.noop', NOOP_TASKS, []);
  row(`noop async: ${(NOOP_TASKS / asyncDrain.seconds).toFixed(0)} tasks/s`);
  const threadsDrain = await timed(client, ['-P', 'threads', '-c', '2'], 'pb.noop', NOOP_TASKS, []);
  row(`noop threads -c 2: ${(NOOP_TASKS / threadsDrain.seconds).toFixed(0)} tasks/s (${((asyncDrain.seconds / threadsDrain.seconds) * 100).toFixed(0)} % of async)`);
  const preforkDrain = await timed(client, ['-P', 'prefork', '-c', '2'], 'pb.noop', NOOP_TASKS, []);
  row(`noop prefork -c 2: ${(NOOP_TASKS / preforkDrain.seconds).toFixed(0)} tasks/s`);
  for (const pool of ['prefork', 'threads']) {
    const h = await hardLimit(client, pool);
    row(`hard limit 2 s on ${pool}: failed after ${h.failedAfter.toFixed(2)} s, next task done ${h.nextAfter.toFixed(2)} s later`);
  }
  await client.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
