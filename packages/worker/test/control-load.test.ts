/**
 * The pidbox is not starved by task traffic: while a worker drains thousands of tasks, `ping` is answered within
 * 200 ms (the bound; requests are handled as delivered, beside the tasks).
 */
import { describe, expect, it } from 'vitest';
import { makeApp, namespace, sleep, startWorker, until } from './helpers.js';

describe('remote control under load', () => {
  it('answers ping within 200 ms while thousands of tasks run', async () => {
    const app = makeApp(namespace(), { backend: null });
    const noop = app.task({ name: 'load.noop', ignoreResult: true }, () => null);
    const worker = await startWorker(app, { mingle: false, concurrency: 50 });
    const total = 6000;
    await Promise.all(Array.from({ length: total }, () => noop.delay()));
    await until(() => worker.counters.processed.get('load.noop') ?? 0, (n) => n > 200, 10_000);
    const latencies: number[] = [];
    let doneAtLastPing = 0;
    while ((worker.counters.processed.get('load.noop') ?? 0) < total * 0.8 && latencies.length < 50) {
      await sleep(10); // a client elsewhere: let the task traffic run between pings
      const started = performance.now();
      const replies = await app.control.ping({ destination: ['w1@test'], timeout: 1 });
      expect(replies).toEqual([{ 'w1@test': { ok: 'pong' } }]);
      latencies.push(performance.now() - started);
      doneAtLastPing = worker.counters.processed.get('load.noop') ?? 0;
    }
    expect(latencies.length).toBeGreaterThan(0);
    expect(doneAtLastPing).toBeLessThan(total); // the pings were answered while tasks still ran
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(200);
    await until(() => worker.counters.processed.get('load.noop') ?? 0, (n) => n === total, 20_000);
  }, 30_000);
});
