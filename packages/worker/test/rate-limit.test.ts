/**
 * Task rate limits on a real worker (memory broker): spacing, other tasks not held up, the switch that turns them
 * off, and the waiting tasks handed back at shutdown.
 */
import { describe, expect, it } from 'vitest';
import { makeApp, namespace, startWorker, until } from './helpers.js';

describe('worker: rate limits', () => {
  it('runs a task with rateLimit "10/s" at most every 100 ms, while other tasks run freely', async () => {
    const app = makeApp(namespace());
    const limited: number[] = [];
    const free: number[] = [];
    app.task({ name: 'tasks.limited', rateLimit: '10/s' }, () => void limited.push(Date.now()));
    app.task({ name: 'tasks.free' }, () => void free.push(Date.now()));
    await startWorker(app);
    const started = Date.now();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await app.sendTask('tasks.limited'));
    for (let i = 0; i < 5; i++) results.push(await app.sendTask('tasks.free'));
    for (const r of results) await r.get({ timeout: 5 });
    expect(limited).toHaveLength(5);
    // Tokens are spaced 100 ms apart when the tasks are admitted; the run times below also carry the event loop's
    // jitter between admission and run, so a single gap may be a little shorter, but there is no burst and the
    // five runs span close to four intervals.
    const gaps = limited.slice(1).map((t, i) => t - (limited[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(50);
    expect((limited.at(-1) as number) - (limited[0] as number)).toBeGreaterThanOrEqual(350);
    expect((limited.at(-1) as number) - started).toBeGreaterThanOrEqual(380);
    // the free tasks did not wait behind the limited ones
    expect(Math.max(...free) - started).toBeLessThan(300);
  });

  it('worker.disableRateLimits ignores them', async () => {
    const app = makeApp(namespace(), { worker: { disableRateLimits: true } });
    const runs: number[] = [];
    app.task({ name: 'tasks.limited', rateLimit: '1/m' }, () => void runs.push(Date.now()));
    await startWorker(app);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await app.sendTask('tasks.limited'));
    for (const r of results) await r.get({ timeout: 3 });
    expect(runs).toHaveLength(3);
  });

  it('hands the tasks waiting for their rate back to the broker at warm shutdown', async () => {
    const ns = namespace();
    const app = makeApp(ns);
    let runs = 0;
    app.task({ name: 'tasks.limited', rateLimit: '1/m' }, () => void (runs += 1));
    const worker = await startWorker(app);
    const first = await app.sendTask('tasks.limited');
    await first.get({ timeout: 3 });
    await app.sendTask('tasks.limited');
    await app.sendTask('tasks.limited');
    const transport = await app.getTransport();
    await until(() => transport.queueSize?.('celery'), (n) => n === 0);
    await worker.stop({ graceful: true });
    expect(runs).toBe(1);
    expect(await transport.queueSize?.('celery')).toBe(2);
  });

  it('rejects a malformed rateLimit when the task is defined', () => {
    const app = makeApp(namespace());
    expect(() => app.task({ name: 'tasks.bad', rateLimit: '10/d' }, () => null)).toThrow(/rateLimit: expected a rate limit/);
  });
});
