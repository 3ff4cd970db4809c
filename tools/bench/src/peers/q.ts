/**
 * q: on Redis `@q/transport-redis` and `@q/backend-redis` (kombu's and Celery's layouts), on RabbitMQ
 * `@q/transport-amqp` and `@q/backend-rpc`, on SQS `@q/transport-sqs` and `@q/backend-redis` (a private redis-server). Client and worker are separate processes running bundles of
 * `src/bin/q-client*.ts` and `src/bin/q-worker*.ts`.
 */
import { createRequire } from 'node:module';
import type { BundleName } from '../build.js';
import { LIMITS } from '../config.js';
import { runToEnd, start } from '../proc.js';
import type { Context, EnqueueResult, Progress, StartedWorker, System, WorkerConfig } from './types.js';

/** Calls in flight in the windowed enqueue (each call is one publish; the transports batch a tick's puts). */
const WINDOW = 500;

const SETTINGS: Record<string, { pool: string; concurrency: number; prefetch: number }> = {
  'q-async': { pool: 'async', concurrency: 100, prefetch: 4 },
  'q-solo': { pool: 'solo', concurrency: 1, prefetch: 4 },
};

const PACKAGES = {
  redis: ['@q/core', '@q/worker', '@q/transport-redis', '@q/backend-redis'],
  amqp: ['@q/core', '@q/worker', '@q/transport-amqp', '@q/backend-rpc'],
  sqs: ['@q/core', '@q/worker', '@q/transport-sqs', '@q/backend-redis'],
} as const;

/** Bundle name suffix of each broker's client and worker (`q-worker-amqp`). */
const SUFFIX = { redis: '', amqp: '-amqp', sqs: '-sqs' } as const;

/** The broker's kombu transport options of this scenario, as the SQS bundles read them. */
function brokerEnv(ctx: Context): Record<string, string> {
  const options = ctx.broker.transportOptions?.();
  return options ? { BENCH_TRANSPORT_OPTIONS: JSON.stringify(options) } : {};
}

function bundle(ctx: Context, kind: 'client' | 'worker' | 'chord-client'): string {
  const name: BundleName = `q-${kind}${SUFFIX[ctx.broker.name]}` as BundleName;
  const path = ctx.bundles.get(name);
  if (!path) throw new Error(`${name} did not build: ${ctx.buildErrors.get(name) ?? 'unknown error'}`);
  return path;
}

async function client(ctx: Context, mode: 'enqueue' | 'roundtrip', backend: string | null, args: string[]): Promise<unknown> {
  const argv = [bundle(ctx, 'client'), mode, ctx.broker.url, backend ?? '-', ...args];
  const line = await runToEnd(`q client ${mode}`, process.execPath, argv, LIMITS.clientMs, { env: brokerEnv(ctx) });
  return JSON.parse(line) as unknown;
}

/** The chord client (`bin/q-chord-client.ts`, Redis): `run <broker> <backend> <n> <warmup>` or `apply <broker> <backend> <n>`. */
async function chordClient(ctx: Context, mode: 'run' | 'apply', args: string[]): Promise<unknown> {
  if (ctx.broker.name !== 'redis') throw new Error('the chord scenario runs on Redis only');
  const argv = [bundle(ctx, 'chord-client'), mode, ctx.broker.url, ctx.broker.resultBackend(true) ?? '-', ...args];
  const line = await runToEnd(`q chord client ${mode}`, process.execPath, argv, LIMITS.chordClientMs);
  return JSON.parse(line) as unknown;
}

export const q: System = {
  name: 'q',
  title: 'q',
  brokers: ['redis', 'amqp', 'sqs'],
  configs: [
    { id: 'q-async', label: 'q async c=100', settings: '`pool: async, concurrency: 100, prefetchMultiplier: 4`' },
    { id: 'q-solo', label: 'q solo', settings: '`pool: solo` (concurrency 1), `prefetchMultiplier: 4`' },
  ],

  async version(ctx: Context) {
    const require = createRequire(import.meta.url);
    return PACKAGES[ctx.broker.name].map((name) => `${name} ${(require(`${name}/package.json`) as { version: string }).version}`).join(', ');
  },

  async enqueue(ctx: Context, n: number): Promise<EnqueueResult> {
    // Both public paths are timed; the faster one is reported, the other noted.
    const timed = async (window: number): Promise<number> => ((await client(ctx, 'enqueue', null, [String(n), String(window)])) as { seconds: number }).seconds;
    const sequential = await timed(1);
    await ctx.broker.reset();
    const windowed = await timed(WINDOW);
    const rate = (s: number): string => `${Math.round(n / s).toLocaleString('en-US')}/s`;
    return sequential < windowed
      ? { count: n, seconds: sequential, method: `\`noop.applyAsync()\` awaited one at a time (with ${WINDOW} in flight: ${rate(windowed)})` }
      : { count: n, seconds: windowed, method: `\`noop.applyAsync()\`, ${WINDOW} calls in flight (\`Promise.all\` per window; awaited one at a time: ${rate(sequential)})` };
  },

  async preload(ctx: Context, n: number, results: boolean) {
    await client(ctx, 'enqueue', null, ['0', '1']); // the template: one message from the real client
    await ctx.broker.fill(n, results);
  },

  startWorker(ctx: Context, config: WorkerConfig, results: boolean): StartedWorker {
    const s = SETTINGS[config.id];
    if (!s) throw new Error(`unknown q config ${config.id}`);
    const profile = ctx.profile ? ['--cpu-prof', `--cpu-prof-name=q-${ctx.broker.name}-${config.id}-${ctx.profileTag ?? (results ? 'results' : 'noresults')}-${Date.now()}.cpuprofile`] : [];
    const backend = ctx.broker.resultBackend(results) ?? '-';
    const args = [...profile, bundle(ctx, 'worker'), s.pool, String(s.concurrency), String(s.prefetch), backend, ctx.broker.url, ctx.logLevel ?? 'warn'];
    const child = start(config.label, process.execPath, args, { env: brokerEnv(ctx) });
    return { child, ready: child.waitForLine(/^READY$/, LIMITS.workerStartMs) };
  },

  progress(ctx: Context, n: number, results: boolean): Promise<Progress> {
    return ctx.broker.progress(n, results);
  },

  async roundTrip(ctx: Context, n: number, warmup: number): Promise<number[]> {
    const backend = ctx.broker.resultBackend(true);
    return ((await client(ctx, 'roundtrip', backend, [String(n), String(warmup)])) as { latencies_ms: number[] }).latencies_ms;
  },

  chord: {
    // The fastest drain configuration (as the drain rows show).
    configs: ['q-async'],
    async run(ctx: Context, n: number, warmup: number) {
      const out = (await chordClient(ctx, 'run', [String(n), String(warmup)])) as { seconds: number; apply_seconds: number };
      return { seconds: out.seconds, applySeconds: out.apply_seconds };
    },
    async apply(ctx: Context, n: number) {
      const out = (await chordClient(ctx, 'apply', [String(n)])) as { body_id: string; apply_seconds: number };
      return { bodyId: out.body_id, applySeconds: out.apply_seconds };
    },
  },
};
