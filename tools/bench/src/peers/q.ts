/**
 * q on the same Redis: `@q/transport-redis` and `@q/backend-redis` (kombu's and Celery's layouts). Client and
 * worker are separate processes running bundles of `src/bin/q-client.ts` and `src/bin/q-worker.ts`.
 */
import { createRequire } from 'node:module';
import { LIMITS, QUEUE, REDIS_URL } from '../config.js';
import { runToEnd, start } from '../proc.js';
import { keysWithTtl } from '../redis.js';
import type { Context, EnqueueResult, Progress, StartedWorker, System, WorkerConfig } from './types.js';

/** Calls in flight in the windowed enqueue (each call is one publish; the transport batches a tick's puts). */
const WINDOW = 500;

const SETTINGS: Record<string, { pool: string; concurrency: number; prefetch: number }> = {
  'q-async': { pool: 'async', concurrency: 100, prefetch: 4 },
  'q-solo': { pool: 'solo', concurrency: 1, prefetch: 4 },
};

function bundle(ctx: Context, name: 'q-client' | 'q-worker'): string {
  const path = ctx.bundles.get(name);
  if (!path) throw new Error(`${name} did not build: ${ctx.buildErrors.get(name) ?? 'unknown error'}`);
  return path;
}

async function client(ctx: Context, args: string[]): Promise<unknown> {
  const line = await runToEnd(`q client ${args[0] ?? ''}`, process.execPath, [bundle(ctx, 'q-client'), args[0] ?? '', REDIS_URL, ...args.slice(1)], LIMITS.clientMs);
  return JSON.parse(line) as unknown;
}

export const q: System = {
  name: 'q',
  title: 'q',
  configs: [
    { id: 'q-async', label: 'q async c=100', settings: '`pool: async, concurrency: 100, prefetchMultiplier: 4`' },
    { id: 'q-solo', label: 'q solo', settings: '`pool: solo` (concurrency 1), `prefetchMultiplier: 4`' },
  ],

  async version() {
    const require = createRequire(import.meta.url);
    const names = ['@q/core', '@q/worker', '@q/transport-redis', '@q/backend-redis'];
    return names.map((name) => `${name} ${(require(`${name}/package.json`) as { version: string }).version}`).join(', ');
  },

  async enqueue(ctx: Context, n: number): Promise<EnqueueResult> {
    // Both public paths are timed; the faster one is reported, the other noted.
    const timed = async (window: number): Promise<number> => ((await client(ctx, ['enqueue', String(n), String(window)])) as { seconds: number }).seconds;
    const sequential = await timed(1);
    await ctx.redis.flushdb();
    const windowed = await timed(WINDOW);
    const rate = (s: number): string => `${Math.round(n / s).toLocaleString('en-US')}/s`;
    return sequential < windowed
      ? { count: n, seconds: sequential, method: `\`noop.applyAsync()\` awaited one at a time (with ${WINDOW} in flight: ${rate(windowed)})` }
      : { count: n, seconds: windowed, method: `\`noop.applyAsync()\`, ${WINDOW} calls in flight (\`Promise.all\` per window; awaited one at a time: ${rate(sequential)})` };
  },

  async preload(ctx: Context, n: number) {
    await client(ctx, ['preload', String(n)]);
  },

  startWorker(ctx: Context, config: WorkerConfig, results: boolean): StartedWorker {
    const s = SETTINGS[config.id];
    if (!s) throw new Error(`unknown q config ${config.id}`);
    const profile = ctx.profile ? ['--cpu-prof', `--cpu-prof-name=q-${config.id}-${results ? 'results' : 'noresults'}-${Date.now()}.cpuprofile`] : [];
    const args = [...profile, bundle(ctx, 'q-worker'), s.pool, String(s.concurrency), String(s.prefetch), results ? 'on' : 'off', REDIS_URL];
    const child = start(config.label, process.execPath, args);
    return { child, ready: child.waitForLine(/^READY$/, 30_000) };
  },

  async progress(ctx: Context, n: number, results: boolean): Promise<Progress> {
    // kombu's layout: the queue list and the `unacked` hash of reserved messages; results have a TTL.
    const [[, waiting], [, unacked]] = (await ctx.redis.multi().llen(QUEUE).hlen('unacked').exec()) as [[null, number], [null, number]];
    const finished = results ? await keysWithTtl(ctx.redis) : n - waiting - unacked;
    return { taken: n - waiting, finished };
  },

  async roundTrip(ctx: Context, n: number, warmup: number): Promise<number[]> {
    return ((await client(ctx, ['roundtrip', String(n), String(warmup)])) as { latencies_ms: number[] }).latencies_ms;
  },
};
