/**
 * The body of the q client processes (`bin/q-client*.ts`, one per broker), bundled like the workers so q's code
 * runs as its build would, without a TypeScript loader. argv: <mode> <broker URL> <result backend URL or -> …;
 * prints one JSON line.
 *
 * - `enqueue <broker> - <n> <window>`: one warm-up call (with `n` = 0 the template message of a drain), then `n`
 *   timed `applyAsync()` calls, `window` in flight (1 = awaited one at a time) → `{"seconds": …}`
 * - `roundtrip <broker> <backend> <n> <warmup>`: sequential `(await applyAsync()).get()` → `{"latencies_ms": […]}`
 */
import type { AppFactory } from './worker.js';

export async function runClient(makeApp: AppFactory): Promise<void> {
  const [mode = '', broker = '', backend = '-', a = '0', b = '0'] = process.argv.slice(2);
  const app = makeApp('bench-client', broker, backend === '-' ? null : backend);
  const noop = app.task('bench.noop', () => null);

  const windowed = async (n: number, window: number): Promise<void> => {
    for (let sent = 0; sent < n; sent += window) {
      const size = Math.min(window, n - sent);
      await Promise.all(Array.from({ length: size }, () => noop.applyAsync([])));
    }
  };

  const main = async (): Promise<unknown> => {
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
        throw new Error(`unknown mode ${mode} (enqueue, roundtrip)`);
    }
  };

  try {
    console.log(JSON.stringify(await main()));
  } finally {
    await app.close();
  }
}
