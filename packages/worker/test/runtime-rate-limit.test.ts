/**
 * `worker.setRateLimit` (remote control `rate_limit`) on a real worker (memory broker).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, NotRegisteredError } from '@q/core';
import { makeApp, namespace, sleep, startWorker, until } from './helpers.js';

describe('worker.setRateLimit', () => {
  it('limits a task that had no limit, and lifting it runs the waiting tasks at once', async () => {
    const app = makeApp(namespace());
    const runs: number[] = [];
    app.task({ name: 'tasks.free' }, () => void runs.push(Date.now()));
    const worker = await startWorker(app);
    worker.setRateLimit('tasks.free', '1/m');
    expect(worker.rateLimits.get('tasks.free')).toBe(1 / 60);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await app.sendTask('tasks.free'));
    await results[0]?.get({ timeout: 3 });
    await sleep(150);
    expect(runs).toHaveLength(1);
    expect(worker.requests().reserved).toHaveLength(2);
    worker.setRateLimit('tasks.free', null);
    for (const r of results) await r.get({ timeout: 3 });
    expect(runs).toHaveLength(3);
    // no limit any more, not even the task's own
    const more = [];
    for (let i = 0; i < 3; i++) more.push(await app.sendTask('tasks.free'));
    for (const r of more) await r.get({ timeout: 3 });
    expect(runs).toHaveLength(6);
  });

  it('replaces a task\'s own limit: "0" lifts it, a faster rate speeds up the tasks waiting', async () => {
    const app = makeApp(namespace());
    const runs: number[] = [];
    app.task({ name: 'tasks.slow', rateLimit: '1/m' }, () => void runs.push(Date.now()));
    const worker = await startWorker(app);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await app.sendTask('tasks.slow'));
    await until(() => runs.length, (n) => n === 1);
    worker.setRateLimit('tasks.slow', '20/s');
    for (const r of results) await r.get({ timeout: 3 });
    expect(runs).toHaveLength(3);
    worker.setRateLimit('tasks.slow', 0);
    const started = Date.now();
    const more = [];
    for (let i = 0; i < 5; i++) more.push(await app.sendTask('tasks.slow'));
    for (const r of more) await r.get({ timeout: 3 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects an unknown task and a malformed rate, changing nothing', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.known' }, () => null);
    const worker = await startWorker(app);
    expect(() => worker.setRateLimit('tasks.nope', '1/s')).toThrow(NotRegisteredError);
    expect(() => worker.setRateLimit('tasks.nope', '1/s')).toThrow(expect.objectContaining({ code: 'Q_ERR_TASK_NOT_REGISTERED' }));
    for (const bad of ['10/d', 'fast', '-1', -1, Number.NaN]) {
      expect(() => worker.setRateLimit('tasks.known', bad)).toThrow(ConfigError);
      expect(() => worker.setRateLimit('tasks.known', bad)).toThrow(expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID' }));
    }
    expect(worker.rateLimits.size).toBe(0);
    worker.setRateLimit('tasks.known', '100/h');
    worker.setRateLimit('tasks.known', 2.5);
    expect(worker.rateLimits.get('tasks.known')).toBe(2.5);
  });

  it('worker.disableRateLimits: a limit set at run time is not applied either', async () => {
    const app = makeApp(namespace(), { worker: { disableRateLimits: true } });
    let runs = 0;
    app.task({ name: 'tasks.free' }, () => void (runs += 1));
    const worker = await startWorker(app);
    worker.setRateLimit('tasks.free', '1/m');
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await app.sendTask('tasks.free'));
    for (const r of results) await r.get({ timeout: 3 });
    expect(runs).toBe(3);
  });
});
