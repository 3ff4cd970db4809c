/**
 * The q chord client on Redis (`@q/transport-redis`, `@q/backend-redis`): builds
 * `chord([noop.s() × n], chord_body.s())` and applies it; prints one JSON line.
 * argv: <mode> <broker URL> <result backend URL> <n> [<warmup>]
 *
 * - `run`: the worker is already running. One warm-up chord of `warmup` header tasks (`get()`), then the timed
 *   one: the `n` signatures and the chord are built first (not timed), then the clock runs from `applyAsync()`
 *   until the body's result is stored: a GET of its `celery-task-meta-<id>` key every 5 ms on a connection of its
 *   own, exactly as the Celery client (`src/python/chord.py`) does → `{"seconds": …, "apply_seconds": …, "value": n}`
 * - `apply`: no worker runs yet. Applies the chord → `{"body_id": …, "apply_seconds": …}`; the harness then starts
 *   the worker and watches for the body's result.
 *
 * A bundle of its own (not `q-client`): it is the only bench process that uses the canvas.
 */
import { chord, createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { Redis } from 'ioredis';

const CHORD_TIMEOUT_MS = 280_000;
const POLL_MS = 5;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the task's result key every 5 ms until it is stored; returns its result (throws unless SUCCESS). */
async function waitStored(redis: Redis, taskId: string): Promise<unknown> {
  const deadline = performance.now() + CHORD_TIMEOUT_MS;
  for (;;) {
    const raw = await redis.get(`celery-task-meta-${taskId}`);
    if (raw !== null) {
      const meta = JSON.parse(raw) as { status: string; result: unknown };
      if (meta.status !== 'SUCCESS') throw new Error(`chord body ${taskId} stored ${meta.status}: ${JSON.stringify(meta.result)}`);
      return meta.result;
    }
    if (performance.now() > deadline) throw new Error(`chord body ${taskId} not stored within ${CHORD_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

const [mode = '', broker = '', backend = '', a = '0', b = '0'] = process.argv.slice(2);
const app = createApp({ name: 'bench-client', broker: redisTransport(broker), backend: redisBackend(backend) });
const noop = app.task('bench.noop', () => null);
const body = app.task('bench.chord_body', (results: null[]) => results.length);

const build = (n: number) =>
  chord(
    Array.from({ length: n }, () => noop.s()),
    body.s(),
  );

async function main(): Promise<unknown> {
  const n = Number(a);
  switch (mode) {
    case 'apply': {
      const c = build(n);
      const t0 = performance.now();
      const result = await c.applyAsync();
      return { body_id: result.id, apply_seconds: (performance.now() - t0) / 1000 };
    }
    case 'run': {
      const warmup = Number(b);
      if (warmup > 0) {
        const value = await (await build(warmup).applyAsync()).get({ timeout: 60 });
        if (value !== warmup) throw new Error(`warm-up chord returned ${JSON.stringify(value)}, expected ${warmup}`);
      }
      const poller = new Redis(backend, { maxRetriesPerRequest: 2 });
      try {
        await poller.ping();
        const c = build(n);
        const t0 = performance.now();
        const result = await c.applyAsync();
        const applied = performance.now();
        const value = await waitStored(poller, result.id);
        const t1 = performance.now();
        if (value !== n) throw new Error(`chord returned ${JSON.stringify(value)}, expected ${n}`);
        return { seconds: (t1 - t0) / 1000, apply_seconds: (applied - t0) / 1000, value };
      } finally {
        poller.disconnect();
      }
    }
    default:
      throw new Error(`unknown mode ${mode} (run, apply)`);
  }
}

try {
  console.log(JSON.stringify(await main()));
} finally {
  await app.close();
}
