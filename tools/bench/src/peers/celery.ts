/**
 * Python Celery 5.2.6 (Debian's `/usr/bin/python3`) on the same broker: the client scripts in `src/python/` and
 * `celery worker` with `-P solo` and with prefork.
 */
import path from 'node:path';
import { BENCH_ROOT } from '../build.js';
import { LIMITS, QUEUE } from '../config.js';
import { runToEnd, start } from '../proc.js';
import type { Context, EnqueueResult, Progress, StartedWorker, System, WorkerConfig } from './types.js';

const PYTHON = '/usr/bin/python3';
const PY_DIR = path.join(BENCH_ROOT, 'src', 'python');

/** Flags every Celery worker gets: no gossip, mingle or heartbeat (cluster chatter q does not have yet). */
const COMMON_FLAGS = ['--without-gossip', '--without-mingle', '--without-heartbeat', '-l', 'WARNING', '-Q', QUEUE];

const WORKER_FLAGS: Record<string, string[]> = {
  'celery-solo': ['-P', 'solo'],
  'celery-prefork': ['-P', 'prefork', '--concurrency', '2', '--prefetch-multiplier', '64'],
  'celery-threads-sqs': ['-P', 'threads', '--concurrency', '4', '--prefetch-multiplier', '16'],
};

/** The Python library Celery talks to each broker with (SQS: boto3 for its sync calls, pycurl for its async receives). */
const CLIENT_LIB = { redis: { module: 'redis', label: 'redis-py' }, amqp: { module: 'amqp', label: 'py-amqp' }, sqs: { module: 'boto3', label: 'boto3' } } as const;

function env(ctx: Context, backend: string | null): Record<string, string> {
  const out: Record<string, string> = { BENCH_BROKER: ctx.broker.url, BENCH_BACKEND: backend ?? '', PYTHONUNBUFFERED: '1' };
  const transportOptions = ctx.broker.transportOptions?.();
  if (transportOptions) out['BENCH_TRANSPORT_OPTIONS'] = JSON.stringify(transportOptions);
  return out;
}

async function python(ctx: Context, name: string, args: string[], backend: string | null, timeoutMs: number = LIMITS.clientMs): Promise<unknown> {
  const line = await runToEnd(`celery ${name}`, PYTHON, [path.join(PY_DIR, name), ...args], timeoutMs, { cwd: PY_DIR, env: env(ctx, backend) });
  return JSON.parse(line) as unknown;
}

export const celery: System = {
  name: 'celery',
  title: 'Celery',
  brokers: ['redis', 'amqp', 'sqs'],
  configs: [
    { id: 'celery-solo', label: 'Celery solo', settings: '`-P solo` (prefetch multiplier 4; the window is 4 × the default concurrency, the 2 cores: 8)' },
    { id: 'celery-prefork', label: 'Celery prefork c=2', settings: '`-P prefork --concurrency 2 --prefetch-multiplier 64`' },
    { id: 'celery-threads-sqs', label: 'Celery threads c=4', settings: '`-P threads --concurrency 4 --prefetch-multiplier 16`', brokers: ['sqs'] },
  ],

  async version(ctx: Context) {
    const { module, label } = CLIENT_LIB[ctx.broker.name];
    const code = `import celery, kombu, ${module}, sys; print(f"celery {celery.__version__}, kombu {kombu.__version__}, ${label} {${module}.__version__}, Python {sys.version.split()[0]}")`;
    return runToEnd('celery --version', PYTHON, ['-c', code], 20_000);
  },

  async enqueue(ctx: Context, n: number): Promise<EnqueueResult> {
    const out = (await python(ctx, 'enqueue.py', [String(n)], null)) as { count: number; seconds: number };
    return { count: out.count, seconds: out.seconds, method: '`noop.apply_async()` in a loop, one at a time (no result backend configured)' };
  },

  async preload(ctx: Context, n: number, results: boolean) {
    await python(ctx, 'enqueue.py', ['0'], null); // the template: one message from the real client
    await ctx.broker.fill(n, results);
  },

  startWorker(ctx: Context, config: WorkerConfig, results: boolean): StartedWorker {
    const flags = WORKER_FLAGS[config.id] ?? config.flags;
    if (!flags) throw new Error(`unknown Celery config ${config.id}`);
    const args = ['-m', 'celery', '-A', 'bench_app', 'worker', ...flags, ...COMMON_FLAGS, '-n', `bench-${config.id}@%h`];
    const child = start(config.label, PYTHON, args, { cwd: PY_DIR, env: env(ctx, ctx.broker.resultBackend(results)) });
    // At log level WARNING Celery prints nothing when ready; the scenarios wait for consumption instead.
    return { child, ready: Promise.resolve() };
  },

  progress(ctx: Context, n: number, results: boolean): Promise<Progress> {
    return ctx.broker.progress(n, results);
  },

  async roundTrip(ctx: Context, n: number, warmup: number): Promise<number[]> {
    const out = (await python(ctx, 'roundtrip.py', [String(n), String(warmup)], ctx.broker.resultBackend(true))) as { latencies_ms: number[] };
    return out.latencies_ms;
  },

  chord: {
    configs: ['celery-solo', 'celery-prefork'],
    async run(ctx: Context, n: number, warmup: number) {
      const out = (await python(ctx, 'chord.py', ['run', String(n), String(warmup)], ctx.broker.resultBackend(true), LIMITS.chordClientMs)) as { seconds: number; apply_seconds: number };
      return { seconds: out.seconds, applySeconds: out.apply_seconds };
    },
    async apply(ctx: Context, n: number) {
      const out = (await python(ctx, 'chord.py', ['apply', String(n), '0'], ctx.broker.resultBackend(true), LIMITS.chordClientMs)) as { body_id: string; apply_seconds: number };
      return { bodyId: out.body_id, applySeconds: out.apply_seconds };
    },
  },
};
