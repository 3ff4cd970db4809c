/**
 * The q client process of the benchmark (bundled like the workers, so q's code runs as its build would,
 * without a TypeScript loader). argv: <mode> <url> …; prints one JSON line.
 *
 * - `enqueue <url> <n> <window>`: one warm-up call, then `n` timed `applyAsync()` calls, `window` in flight
 *   (1 = awaited one at a time) → `{"seconds": …}`
 * - `preload <url> <n>`: `n` calls, 500 in flight → `{"count": n}`
 * - `roundtrip <url> <n> <warmup>`: sequential `(await applyAsync()).get()` → `{"latencies_ms": […]}`
 */
import { createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';

const [mode = '', url = 'redis://127.0.0.1:6379/5', a = '0', b = '0'] = process.argv.slice(2);
const results = mode === 'roundtrip';
const app = createApp({ name: 'bench-client', broker: redisTransport(url), backend: results ? redisBackend(url) : null });
const noop = app.task('bench.noop', () => null);

async function windowed(n: number, window: number): Promise<void> {
  for (let sent = 0; sent < n; sent += window) {
    const size = Math.min(window, n - sent);
    await Promise.all(Array.from({ length: size }, () => noop.applyAsync([])));
  }
}

async function main(): Promise<unknown> {
  switch (mode) {
    case 'enqueue': {
      const n = Number(a);
      const window = Number(b);
      await noop.applyAsync([]); // connects and declares; not timed
      const t0 = performance.now();
      if (window <= 1) for (let i = 0; i < n; i++) await noop.applyAsync([]);
      else await windowed(n, window);
      return { count: n, seconds: (performance.now() - t0) / 1000 };
    }
    case 'preload':
      await windowed(Number(a), 500);
      return { count: Number(a) };
    case 'roundtrip': {
      const n = Number(a);
      const warmup = Number(b);
      const once = async (timeout: number): Promise<void> => {
        await (await noop.applyAsync([])).get({ timeout });
      };
      await once(30);
      for (let i = 1; i < warmup; i++) await once(10);
      const latencies: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await once(10);
        latencies.push(performance.now() - t0);
      }
      return { latencies_ms: latencies };
    }
    default:
      throw new Error(`unknown mode ${mode} (enqueue, preload, roundtrip)`);
  }
}

try {
  console.log(JSON.stringify(await main()));
} finally {
  await app.close();
}
