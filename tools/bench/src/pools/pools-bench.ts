/**
 * Pool benchmarks (`pnpm --filter @q/bench bench:pools`): a real `q worker -P <pool>` on Redis, timed from the first
 * send to the last result.
 * - CPU-bound: 2,000 tasks of ~5 ms each on `solo`, `prefork -c 2`, `threads -c 2`, with peak RSS of the worker
 *   process tree (parent + children).
 * - No-op drain with results: `threads -c 2` against `async`.
 * - Hard limit: an endless synchronous loop with a 2 s limit on `prefork` and `threads`: when it fails, and how soon the
 *   next task runs.
 * - Celery prefork -c 2 (Debian's `/usr/bin/python3 -m celery`, `src/python/pools_app.py`, the same task names) in the
 *   same run, sent to and read by the same q client: CPU-bound, no-op drain with results, peak RSS.
 *
 * q runs built, as a user's install does: `packages/cli/dist/bin.js` (plain `node`, no `--conditions`) with the app
 * bundled by esbuild into `node_modules/.cache/q-bench/pools-app.mjs` (`@q/*` external, so parent and children load
 * q's `dist/`). `POOLS_BENCH_SOURCE=1` runs q from source through tsx instead. Build the packages first
 * (`pnpm -r build`). The rows go to stdout and, as a Markdown block, to `node_modules/.cache/q-bench/pools.md`.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import type { App, AsyncResult } from '@q/core';
import { BENCH_ROOT, OUT_DIR, bundleBuiltApp } from '../build.js';
import { descendants, peakRss } from '../rss.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const APP = fileURLToPath(new URL('./pools-app.ts', import.meta.url));
const URL_ = process.env['POOLS_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/7';
const CPU_TASKS = Number(process.env['POOLS_BENCH_CPU_TASKS'] ?? 2000);
const NOOP_TASKS = Number(process.env['POOLS_BENCH_NOOP_TASKS'] ?? 10000);
const FROM_SOURCE = process.env['POOLS_BENCH_SOURCE'] === '1';
const CLI_DIST = path.join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const BUILT_APP = path.join(OUT_DIR, 'pools-app.mjs');
const PYTHON = '/usr/bin/python3';
const PY_DIR = path.join(BENCH_ROOT, 'src', 'python');
/** Celery's best configuration for these rows (as the main bench's Celery prefork): no cluster chatter, a deep prefetch. */
const CELERY_ARGS = ['-m', 'celery', '-A', 'pools_app', 'worker', '-P', 'prefork', '--concurrency', '2', '--prefetch-multiplier', '64', '--without-gossip', '--without-mingle', '--without-heartbeat', '-l', 'WARNING', '-n', 'pools-bench@%h'];

async function buildApp(): Promise<void> {
  await bundleBuiltApp(APP, BUILT_APP);
}

type WorkerKind = 'q' | 'celery';

interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startWorker(args: string[], kind: WorkerKind = 'q'): Promise<Running> {
  if (kind === 'celery') {
    // At WARNING Celery prints nothing when ready: the warm-up tasks wait for it.
    const child = spawn(PYTHON, [...CELERY_ARGS, ...args], { cwd: PY_DIR, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, POOLS_BENCH_REDIS: URL_, PYTHONUNBUFFERED: '1' } });
    return { child, stop: () => stopChild(child) };
  }
  const command = FROM_SOURCE
    ? ['--conditions=@q/source', '--import', 'tsx', 'packages/cli/src/bin.ts', '-A', APP]
    : [CLI_DIST, '-A', BUILT_APP];
  const child = spawn(process.execPath, [...command, '-l', 'warning', 'worker', ...args], {
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

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function timed(client: App, pool: string[], name: string, count: number, args: unknown[], kind: WorkerKind = 'q'): Promise<{ seconds: number; rssMb: number }> {
  const worker = await startWorker(pool, kind);
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
  if (!FROM_SOURCE) {
    if (!existsSync(CLI_DIST)) throw new Error(`${CLI_DIST} is missing: build the packages first (pnpm -r build), or POOLS_BENCH_SOURCE=1`);
    await buildApp();
  }
  const client = createApp({ name: 'pools-bench', broker: URL_, backend: URL_ });
  const lines: string[] = [];
  const row = (text: string): void => {
    lines.push(text);
    process.stdout.write(`${text}\n`);
  };
  const table: string[] = ['| row | q | Celery prefork -c 2 | target (issue 13) |', '|---|---:|---:|---|'];
  const met = (ok: boolean): string => (ok ? 'met' : 'not met');
  const s = (x: number): string => `${x.toFixed(1)} s`;
  const mb = (x: number): string => `${x.toFixed(0)} MB`;
  const rate = (x: number): string => `${Math.round(x).toLocaleString('en-US')} tasks/s`;
  row(`pools bench: ${CPU_TASKS} CPU-bound tasks of 5 ms; ${NOOP_TASKS} no-op tasks with results; Redis ${URL_}; q ${FROM_SOURCE ? 'from source (tsx)' : 'built (packages/*/dist)'}`);
  const solo = await timed(client, ['-P', 'solo'], 'pb.cpu', CPU_TASKS, [5]);
  row(`cpu solo: ${solo.seconds.toFixed(2)} s, peak RSS ${solo.rssMb.toFixed(1)} MB`);
  const cpu: Record<string, { seconds: number; rssMb: number }> = {};
  const drainRss: number[] = [];
  const celeryDrainRss: number[] = [];
  for (const pool of ['prefork', 'threads']) {
    const r = await timed(client, ['-P', pool, '-c', '2'], 'pb.cpu', CPU_TASKS, [5]);
    cpu[pool] = r;
    row(`cpu ${pool} -c 2: ${r.seconds.toFixed(2)} s (${((r.seconds / solo.seconds) * 100).toFixed(0)} % of solo), peak RSS (parent + children) ${r.rssMb.toFixed(1)} MB`);
  }
  const celeryCpu = await timed(client, [], 'pb.cpu', CPU_TASKS, [5], 'celery');
  row(`cpu Celery prefork -c 2: ${celeryCpu.seconds.toFixed(2)} s, peak RSS (parent + children) ${celeryCpu.rssMb.toFixed(1)} MB`);
  const asyncDrain = await timed(client, ['-P', 'async'], 'pb.noop', NOOP_TASKS, []);
  row(`noop async: ${(NOOP_TASKS / asyncDrain.seconds).toFixed(0)} tasks/s`);
  // Each pool with children, and Celery, under both -O settings: the rows compare the best of each.
  const drain: Record<string, number> = {};
  for (const pool of ['threads', 'prefork']) {
    for (const opt of ['fair', 'default']) {
      const r = await timed(client, ['-P', pool, '-c', '2', '-O', opt], 'pb.noop', NOOP_TASKS, []);
      drain[`${pool} ${opt}`] = r.seconds;
      if (pool === 'prefork') drainRss.push(r.rssMb);
      row(`noop ${pool} -c 2 -O ${opt}: ${(NOOP_TASKS / r.seconds).toFixed(0)} tasks/s, peak RSS (parent + children) ${r.rssMb.toFixed(1)} MB`);
    }
  }
  for (const opt of ['fair', 'default']) {
    const r = await timed(client, ['-O', opt], 'pb.noop', NOOP_TASKS, [], 'celery');
    drain[`celery ${opt}`] = r.seconds;
    celeryDrainRss.push(r.rssMb);
    row(`noop Celery prefork -c 2 -O ${opt}: ${(NOOP_TASKS / r.seconds).toFixed(0)} tasks/s, peak RSS (parent + children) ${r.rssMb.toFixed(1)} MB`);
  }
  const best = (prefix: string): { opt: string; seconds: number } => {
    const fair = drain[`${prefix} fair`] as number;
    const dflt = drain[`${prefix} default`] as number;
    return fair <= dflt ? { opt: 'fair', seconds: fair } : { opt: 'default', seconds: dflt };
  };
  const threadsDrain = best('threads');
  const preforkDrain = best('prefork');
  const celeryDrain = best('celery');
  const hard: Record<string, { failedAfter: number; nextAfter: number }> = {};
  for (const pool of ['prefork', 'threads']) {
    const h = await hardLimit(client, pool);
    hard[pool] = h;
    row(`hard limit 2 s on ${pool}: failed after ${h.failedAfter.toFixed(2)} s, next task done ${h.nextAfter.toFixed(2)} s later`);
  }
  await client.close();

  const pre = cpu['prefork'] as { seconds: number; rssMb: number };
  const thr = cpu['threads'] as { seconds: number; rssMb: number };
  const pct = (x: number): string => `${((x / solo.seconds) * 100).toFixed(0)} % of solo`;
  table.push(`| CPU-bound, \`solo\` | ${s(solo.seconds)} | | — |`);
  table.push(`| CPU-bound, \`prefork -c 2\` | ${s(pre.seconds)} (${pct(pre.seconds)}) | ${s(celeryCpu.seconds)} | ≤ 60 % of solo and ahead of Celery: ${met(pre.seconds <= 0.6 * solo.seconds && pre.seconds < celeryCpu.seconds)} |`);
  table.push(`| CPU-bound, \`threads -c 2\` | ${s(thr.seconds)} (${pct(thr.seconds)}) | ${s(celeryCpu.seconds)} | ≤ 60 % of solo and ahead of Celery: ${met(thr.seconds <= 0.6 * solo.seconds && thr.seconds < celeryCpu.seconds)} |`);
  const rssQ = Math.max(pre.rssMb, ...drainRss);
  const rssC = Math.max(celeryCpu.rssMb, ...celeryDrainRss);
  table.push(`| peak RSS, \`prefork -c 2\` (parent + children; the higher of its CPU and drain rows) | ${mb(rssQ)} | ${mb(rssC)} | ≤ Celery prefork -c 2: ${met(rssQ <= rssC)} |`);
  table.push(`| peak RSS, \`threads -c 2\` | ${mb(thr.rssMb)} | | — |`);
  const asyncRate = NOOP_TASKS / asyncDrain.seconds;
  const threadsRate = NOOP_TASKS / threadsDrain.seconds;
  const preforkRate = NOOP_TASKS / preforkDrain.seconds;
  const celeryRate = NOOP_TASKS / celeryDrain.seconds;
  table.push(`| no-op drain with results, \`async\` | ${rate(asyncRate)} | | — |`);
  const both = (prefix: string): string => `-O fair ${rate(NOOP_TASKS / (drain[`${prefix} fair`] as number))}, -O default ${rate(NOOP_TASKS / (drain[`${prefix} default`] as number))}`;
  table.push(`| no-op drain with results, \`threads -c 2\` (best -O: ${threadsDrain.opt}) | ${rate(threadsRate)} (${((threadsRate / asyncRate) * 100).toFixed(0)} % of async) | | ≥ 50 % of async: ${met(threadsRate >= 0.5 * asyncRate)} |`);
  table.push(`| no-op drain with results, \`prefork -c 2\` (best -O: q ${preforkDrain.opt}, Celery ${celeryDrain.opt}) | ${rate(preforkRate)} (${(preforkRate / celeryRate).toFixed(1)}× Celery) | ${rate(celeryRate)} | ≥ 5× Celery prefork -c 2: ${met(preforkRate >= 5 * celeryRate)} |`);
  table.push(`| no-op drain, each -O | threads ${both('threads')}; prefork ${both('prefork')} | ${both('celery')} | — |`);
  for (const pool of ['prefork', 'threads']) {
    const h = hard[pool] as { failedAfter: number; nextAfter: number };
    table.push(`| hard limit 2 s, \`${pool}\` | failed after ${h.failedAfter.toFixed(2)} s; next task ${h.nextAfter.toFixed(2)} s later | | 2 s ± 0.5, next within 1 s: ${met(Math.abs(h.failedAfter - 2) <= 0.5 && h.nextAfter <= 1)} |`);
  }
  const md = [`<!-- pools-bench:begin (generated by \`pnpm --filter @q/bench bench:pools\`) -->`, ...table, '<!-- pools-bench:end -->', ''].join('\n');
  writeFileSync(path.join(OUT_DIR, 'pools.md'), md);
  process.stdout.write(`\n${md}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
