/**
 * The pidbox is not starved by task traffic: while a worker drains thousands of tasks, each `ping` is answered
 * (within its 1 s timeout) before the drain ends — requests are handled as delivered, beside the tasks. How fast
 * is measured by `pnpm --filter @q/bench bench:control` (issue 15's 200 ms bound), not here.
 */
import { describe, expect, it } from 'vitest';
import { makeApp, namespace, sleep, startWorker, until } from './helpers.js';

describe('remote control under load', () => {
  it('answers every ping while thousands of tasks run', async () => {
    const app = makeApp(namespace(), { backend: null });
    const noop = app.task({ name: 'load.noop', ignoreResult: true }, () => null);
    const worker = await startWorker(app, { mingle: false, concurrency: 50 });
    const total = 6000;
    await Promise.all(Array.from({ length: total }, () => noop.delay()));
    await until(() => worker.counters.processed.get('load.noop') ?? 0, (n) => n > 200, 10_000);
    let answered = 0;
    let doneAtLastPing = 0;
    while ((worker.counters.processed.get('load.noop') ?? 0) < total * 0.8 && answered < 50) {
      await sleep(10); // a client elsewhere: let the task traffic run between pings
      const replies = await app.control.ping({ destination: ['w1@test'], timeout: 1 });
      expect(replies).toEqual([{ 'w1@test': { ok: 'pong' } }]);
      answered++;
      doneAtLastPing = worker.counters.processed.get('load.noop') ?? 0;
    }
    expect(answered).toBeGreaterThan(3);
    expect(doneAtLastPing).toBeLessThan(total); // the pings were answered while tasks still ran
    await until(() => worker.counters.processed.get('load.noop') ?? 0, (n) => n === total, 20_000);
  }, 30_000);
});
