/** Where a task's time limits come from: header, then run-time change, then task option, then worker default. */
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '@q/core';
import { makeApp, namespace, startWorker } from './helpers.js';

describe('worker time limits', () => {
  it('applies the worker default, a run-time change, the task option and the timelimit header in that order', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tl.plain', bind: true }, (ctx: TaskContext) => ctx.timeLimit);
    app.task({ name: 'tl.own', bind: true, timeLimit: 30 }, (ctx: TaskContext) => ctx.timeLimit);
    const worker = await startWorker(app, { timeLimit: 60, softTimeLimit: 50 });
    expect(await (await app.sendTask('tl.plain')).get({ timeout: 3 })).toEqual([60, 50]);
    expect(await (await app.sendTask('tl.own')).get({ timeout: 3 })).toEqual([30, 50]);
    worker.setTimeLimits('tl.own', { hard: 10 });
    expect(await (await app.sendTask('tl.own')).get({ timeout: 3 })).toEqual([10, 50]);
    worker.setTimeLimits('tl.plain', { soft: null });
    expect(await (await app.sendTask('tl.plain')).get({ timeout: 3 })).toEqual([60, null]);
    expect(await (await app.sendTask('tl.plain', [], {}, { timeLimit: 5 } as never)).get({ timeout: 3 })).toEqual([5, null]);
  });

  it('a soft limit from the worker aborts the task signal with SoftTimeLimitExceeded', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tl.wait', bind: true }, (ctx: TaskContext) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))));
    const worker = await startWorker(app);
    worker.setTimeLimits('tl.wait', { soft: 0.05 });
    await expect((await app.sendTask('tl.wait')).get({ timeout: 3 })).rejects.toMatchObject({ excType: 'SoftTimeLimitExceeded' });
  });
});
