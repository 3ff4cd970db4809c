/**
 * BullMQ 5 on the same Redis: `Queue.addBulk` as the client, a `Worker` process with concurrency 1 and 50.
 * "Results in Redis" means `removeOnComplete: false` (the return value stays in the job hash); results off
 * means `removeOnComplete: true`.
 */
import { createRequire } from 'node:module';
import { Queue, QueueEvents } from 'bullmq';
import { RedisBroker } from '../brokers/redis.js';
import { BULL_QUEUE } from '../config.js';
import { start } from '../proc.js';
import type { Context, EnqueueResult, Progress, StartedWorker, System, WorkerConfig } from './types.js';

const CONNECTION = { host: '127.0.0.1', port: 6379, db: 5 } as const;
const CHUNK = 1_000;
const key = (suffix: string): string => `bull:${BULL_QUEUE}:${suffix}`;

const CONCURRENCY: Record<string, number> = { 'bullmq-c1': 1, 'bullmq-c50': 50 };

function redisOf(ctx: Context): RedisBroker['redis'] {
  if (!(ctx.broker instanceof RedisBroker)) throw new Error(`BullMQ runs on Redis only, not ${ctx.broker.title}`);
  return ctx.broker.redis;
}

async function addChunks(queue: Queue, n: number, removeOnComplete: boolean): Promise<void> {
  for (let sent = 0; sent < n; sent += CHUNK) {
    const size = Math.min(CHUNK, n - sent);
    await queue.addBulk(Array.from({ length: size }, () => ({ name: 'noop', data: {}, opts: { removeOnComplete } })));
  }
}

async function withQueue<T>(fn: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(BULL_QUEUE, { connection: CONNECTION });
  try {
    await queue.waitUntilReady();
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

export const bullmq: System = {
  name: 'bullmq',
  title: 'BullMQ',
  brokers: ['redis'],
  configs: [
    { id: 'bullmq-c1', label: 'BullMQ c=1', settings: '`new Worker(queue, noop, { concurrency: 1 })`' },
    { id: 'bullmq-c50', label: 'BullMQ c=50', settings: '`new Worker(queue, noop, { concurrency: 50 })`' },
  ],

  async version() {
    const require = createRequire(import.meta.url);
    const pkg = require('bullmq/package.json') as { version: string };
    return `bullmq ${pkg.version}`;
  },

  async enqueue(_ctx: Context, n: number): Promise<EnqueueResult> {
    return withQueue(async (queue) => {
      await queue.add('noop', {}, { removeOnComplete: true }); // warm-up, not timed
      const t0 = performance.now();
      await addChunks(queue, n, true);
      return { count: n, seconds: (performance.now() - t0) / 1000, method: `\`queue.addBulk\` in chunks of ${CHUNK}, awaited one after another` };
    });
  },

  async preload(_ctx: Context, n: number, results: boolean) {
    await withQueue((queue) => addChunks(queue, n, !results));
  },

  startWorker(ctx: Context, config: WorkerConfig): StartedWorker {
    const concurrency = CONCURRENCY[config.id];
    const bundle = ctx.bundles.get('bullmq-worker');
    if (concurrency === undefined) throw new Error(`unknown BullMQ config ${config.id}`);
    if (!bundle) throw new Error(`the BullMQ worker did not build: ${ctx.buildErrors.get('bullmq-worker') ?? 'unknown error'}`);
    const child = start(config.label, process.execPath, [bundle, String(concurrency)]);
    return { child, ready: child.waitForLine(/^READY$/, 30_000) };
  },

  async progress(ctx: Context, n: number, results: boolean): Promise<Progress> {
    const replies = (await redisOf(ctx).multi().llen(key('wait')).llen(key('active')).zcard(key('completed')).exec()) as [null, number][];
    const [waiting, active, completed] = replies.map(([, v]) => v) as [number, number, number];
    return { taken: n - waiting, finished: results ? completed : n - waiting - active };
  },

  async roundTrip(_ctx: Context, n: number, warmup: number): Promise<number[]> {
    const events = new QueueEvents(BULL_QUEUE, { connection: CONNECTION });
    try {
      return await withQueue(async (queue) => {
        await events.waitUntilReady();
        const once = async (ttlMs: number): Promise<void> => {
          const job = await queue.add('noop', {}, { removeOnComplete: false });
          await job.waitUntilFinished(events, ttlMs);
        };
        await once(30_000);
        for (let i = 1; i < warmup; i++) await once(10_000);
        const latencies: number[] = [];
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          await once(10_000);
          latencies.push(performance.now() - t0);
        }
        return latencies;
      });
    } finally {
      await events.close();
    }
  },
};
