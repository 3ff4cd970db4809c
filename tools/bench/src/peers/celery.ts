/**
 * Python Celery 5.2.6 (Debian's `/usr/bin/python3`), on the same Redis: the client scripts in `src/python/`
 * and `celery worker` with `-P solo` and with prefork.
 */
import path from 'node:path';
import { BENCH_ROOT } from '../build.js';
import { LIMITS, QUEUE, REDIS_URL } from '../config.js';
import { cloneQueue } from '../kombu-preload.js';
import { runToEnd, start } from '../proc.js';
import { keysWithTtl } from '../redis.js';
import type { Context, EnqueueResult, Progress, StartedWorker, System, WorkerConfig } from './types.js';

const PYTHON = '/usr/bin/python3';
const PY_DIR = path.join(BENCH_ROOT, 'src', 'python');

/** Flags every Celery worker gets: no gossip, mingle or heartbeat (cluster chatter q does not have yet). */
const COMMON_FLAGS = ['--without-gossip', '--without-mingle', '--without-heartbeat', '-l', 'WARNING', '-Q', QUEUE];

const WORKER_FLAGS: Record<string, string[]> = {
  'celery-solo': ['-P', 'solo'],
  'celery-prefork': ['-P', 'prefork', '--concurrency', '2', '--prefetch-multiplier', '64'],
};

function env(results: boolean): Record<string, string> {
  return { BENCH_BROKER: REDIS_URL, BENCH_BACKEND: results ? REDIS_URL : '', PYTHONUNBUFFERED: '1' };
}

async function python(name: string, args: string[], results: boolean): Promise<unknown> {
  const line = await runToEnd(`celery ${name}`, PYTHON, [path.join(PY_DIR, name), ...args], LIMITS.clientMs, { cwd: PY_DIR, env: env(results) });
  return JSON.parse(line) as unknown;
}

export const celery: System = {
  name: 'celery',
  title: 'Celery',
  configs: [
    { id: 'celery-solo', label: 'Celery solo', settings: '`-P solo` (prefetch multiplier 4)' },
    { id: 'celery-prefork', label: 'Celery prefork c=2', settings: '`-P prefork --concurrency 2 --prefetch-multiplier 64`' },
  ],

  async version() {
    const line = await runToEnd('celery --version', PYTHON, ['-c', 'import celery, kombu, redis, sys; print(f"celery {celery.__version__}, kombu {kombu.__version__}, redis-py {redis.__version__}, Python {sys.version.split()[0]}")'], 20_000);
    return line;
  },

  async enqueue(_ctx: Context, n: number): Promise<EnqueueResult> {
    const out = (await python('enqueue.py', [String(n)], false)) as { count: number; seconds: number };
    return { count: out.count, seconds: out.seconds, method: '`noop.apply_async()` in a loop, one at a time (no result backend configured)' };
  },

  async preload(ctx: Context, n: number) {
    await python('enqueue.py', ['0'], false);
    await cloneQueue(ctx.redis, QUEUE, n);
  },

  startWorker(_ctx: Context, config: WorkerConfig, results: boolean): StartedWorker {
    const flags = WORKER_FLAGS[config.id];
    if (!flags) throw new Error(`unknown Celery config ${config.id}`);
    const args = ['-m', 'celery', '-A', 'bench_app', 'worker', ...flags, ...COMMON_FLAGS, '-n', `bench-${config.id}@%h`];
    const child = start(config.label, PYTHON, args, { cwd: PY_DIR, env: env(results) });
    // At log level WARNING Celery prints nothing when ready; the scenarios wait for consumption instead.
    return { child, ready: Promise.resolve() };
  },

  async progress(ctx: Context, n: number, results: boolean): Promise<Progress> {
    const [[, waiting], [, unacked]] = (await ctx.redis.multi().llen(QUEUE).hlen('unacked').exec()) as [[null, number], [null, number]];
    const taken = n - waiting;
    // Results off: a task is done once acknowledged (Celery acks before running; the no-op takes microseconds).
    // Results on: result documents are the only keys with a TTL (result_expires, 1 day).
    const finished = results ? await keysWithTtl(ctx.redis) : n - waiting - unacked;
    return { taken, finished };
  },

  async roundTrip(_ctx: Context, n: number, warmup: number): Promise<number[]> {
    const out = (await python('roundtrip.py', [String(n), String(warmup)], true)) as { latencies_ms: number[] };
    return out.latencies_ms;
  },
};
