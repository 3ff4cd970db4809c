/**
 * `task.apply()`: running a task in the calling process as Celery's `Task.apply` does (its context, retries,
 * autoretry, replace, updateState, links, hooks, propagation), with a broker that refuses to connect, so nothing
 * here can have gone through it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HookName } from '../contracts/hooks.js';
import { MaxRetriesExceededError, RemoteError } from '../errors/q-error.js';
import { AsyncResult } from '../result/async-result.js';
import { Ignore } from '../task/control.js';
import type { TaskContext } from '../task/types.js';
import { EagerGroupResult } from './eager-group-result.js';
import { EagerResult } from './eager-result.js';
import { closeEagerApps, eagerApp } from '../../test/eager-apps.js';

afterEach(closeEagerApps);

class Flaky extends Error {}

describe('task.apply', () => {
  it('runs the function here and returns an EagerResult that is an AsyncResult', async () => {
    const { app, broker } = eagerApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const result = await add.apply([2, 3]);
    expect(result).toBeInstanceOf(EagerResult);
    expect(result).toBeInstanceOf(AsyncResult);
    expect(result.status).toBe('SUCCESS');
    expect(await result.state()).toBe('SUCCESS');
    expect(await result.ready()).toBe(true);
    expect(await result.successful()).toBe(true);
    expect(await result.failed()).toBe(false);
    expect(await result.get()).toBe(5);
    expect(await result.result()).toBe(5);
    expect(await result.traceback()).toBeNull();
    expect(broker.connects).toBe(0);
  });

  it('binds keyword arguments and keeps a given task id', async () => {
    const { app } = eagerApp();
    const sub = app.task({ name: 'tasks.sub', params: ['x', 'y'] }, (x: number, y: number) => x - y);
    const result = await sub.apply([10], { y: 4 }, { taskId: 'fixed-id' });
    expect(result.id).toBe('fixed-id');
    expect(await result.get()).toBe(6);
  });

  it('gives a bound task an eager context: isEager, its id, args, kwargs, retries, headers and delivery options', async () => {
    const { app } = eagerApp();
    let seen: TaskContext | undefined;
    const probe = app.task({ name: 'tasks.probe', bind: true, params: ['a', 'b'] }, (ctx: TaskContext, a: number, b = 0) => {
      seen = ctx;
      return a + b;
    });
    const result = await probe.apply([1], { b: 2 }, { headers: { tenant: 't1' }, priority: 7, routingKey: 'rk', retries: 2 });
    expect(await result.get()).toBe(3);
    expect(seen?.isEager).toBe(true);
    expect(seen?.id).toBe(result.id);
    expect(seen?.args).toEqual([1]);
    expect(seen?.kwargs).toEqual({ b: 2 });
    expect(seen?.retries).toBe(2);
    expect(seen?.headers).toEqual({ tenant: 't1' });
    expect(seen?.deliveryInfo).toEqual({ exchange: '', routingKey: 'rk', priority: 7, redelivered: false });
    expect(seen?.hostname).toBe(app.origin);
    expect(seen?.signal.aborted).toBe(false);
  });

  it('keeps a failure in the result: get() throws the task error itself, propagate: false gives a RemoteError', async () => {
    const { app } = eagerApp();
    const boom = app.task('tasks.boom', () => {
      throw new TypeError('bad input');
    });
    const result = await boom.apply();
    expect(result.status).toBe('FAILURE');
    expect(await result.failed()).toBe(true);
    expect(await result.ready()).toBe(true);
    await expect(result.get()).rejects.toThrow(TypeError);
    await expect(result.maybeThrow()).rejects.toThrow('bad input');
    const remote = await result.get({ propagate: false });
    expect(remote).toBeInstanceOf(RemoteError);
    expect((remote as RemoteError).excType).toBe('TypeError');
    expect((remote as RemoteError).cause).toBeInstanceOf(TypeError);
    expect(await result.result()).toBeInstanceOf(RemoteError);
    expect(await result.traceback()).toMatch(/^Traceback \(most recent call last\):/);
    expect((await result.meta()).result).toEqual({ exc_type: 'TypeError', exc_message: ['bad input'], exc_module: 'builtins' });
  });

  it('throws the failure from apply() with throw: true, and with task.eagerPropagates', async () => {
    const boomFn = () => {
      throw new RangeError('out of range');
    };
    const quiet = eagerApp().app.task('tasks.boom', boomFn);
    await expect(quiet.apply([], {}, { throw: true })).rejects.toThrow(RangeError);
    const loud = eagerApp({ task: { eagerPropagates: true } }).app.task('tasks.boom', boomFn);
    await expect(loud.apply()).rejects.toThrow('out of range');
    // `throw: false` wins over the setting.
    expect((await loud.apply([], {}, { throw: false })).status).toBe('FAILURE');
  });

  it('runs a retry again at once with retries + 1 and the same id, ignoring the countdown', async () => {
    const { app } = eagerApp();
    const seen: [string, number][] = [];
    const flaky = app.task({ name: 'tasks.flaky', bind: true, maxRetries: 5 }, (ctx: TaskContext) => {
      seen.push([ctx.id, ctx.retries]);
      if (ctx.retries < 2) ctx.retry({ countdown: 3600 });
      return 'done';
    });
    const result = await flaky.apply();
    expect(await result.get()).toBe('done');
    expect(seen.map(([, r]) => r)).toEqual([0, 1, 2]);
    expect(new Set(seen.map(([id]) => id))).toEqual(new Set([result.id]));
  });

  it('retries with replaced arguments', async () => {
    const { app } = eagerApp();
    const double = app.task({ name: 'tasks.double', bind: true }, (ctx: TaskContext, n: number) => {
      if (ctx.retries === 0) ctx.retry({ args: [n + 1] });
      return n * 2;
    });
    expect(await (await double.apply([1])).get()).toBe(4);
  });

  it('fails with MaxRetriesExceededError once maxRetries is reached (or with exc when given)', async () => {
    const { app } = eagerApp();
    let runs = 0;
    const always = app.task({ name: 'tasks.always', bind: true, maxRetries: 2 }, (ctx: TaskContext) => {
      runs++;
      ctx.retry();
    });
    const result = await always.apply();
    expect(runs).toBe(3);
    expect(result.status).toBe('FAILURE');
    await expect(result.get()).rejects.toBeInstanceOf(MaxRetriesExceededError);

    const withExc = app.task({ name: 'tasks.withExc', bind: true, maxRetries: 1 }, (ctx: TaskContext) => ctx.retry({ exc: new Flaky('still down') }));
    await expect((await withExc.apply()).get()).rejects.toThrow(Flaky);
  });

  it('autoretries an error of autoretryFor without waiting for the backoff, then fails with it', async () => {
    const { app } = eagerApp();
    let runs = 0;
    const task = app.task({ name: 'tasks.auto', autoretryFor: [Flaky], retryBackoff: 600, maxRetries: 3, defaultRetryDelay: 3600 }, () => {
      runs++;
      throw new Flaky(`run ${runs}`);
    });
    const result = await task.apply();
    expect(runs).toBe(4);
    await expect(result.get()).rejects.toThrow('run 4');

    let other = 0;
    const notListed = app.task({ name: 'tasks.notListed', autoretryFor: [Flaky] }, () => {
      other++;
      throw new TypeError('not retried');
    });
    expect((await notListed.apply()).status).toBe('FAILURE');
    expect(other).toBe(1);
  });

  it('replace() runs the replacement here and gives its value as the task result', async () => {
    const { app } = eagerApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const outer = app.task({ name: 'tasks.outer', bind: true }, (ctx: TaskContext, n: number) => ctx.replace(add.s(n, 100)));
    const result = await outer.apply([1]);
    expect(await result.get()).toBe(101);

    const boom = app.task('tasks.boom', () => {
      throw new Flaky('replacement failed');
    });
    const failing = app.task({ name: 'tasks.failing', bind: true }, (ctx: TaskContext) => ctx.replace(boom.si()));
    await expect((await failing.apply()).get()).rejects.toThrow('replacement failed');
  });

  it('Ignore ends the run as IGNORED, not ready, with no value', async () => {
    const { app } = eagerApp();
    const ignored = app.task('tasks.ignored', () => {
      throw new Ignore();
    });
    const result = await ignored.apply();
    expect(result.status).toBe('IGNORED');
    expect(await result.ready()).toBe(false);
    expect(await result.get()).toBeNull();
  });

  it('applies link callbacks here with the value, and linkError errbacks with the task id', async () => {
    const { app } = eagerApp();
    const calls: unknown[][] = [];
    const record = app.task('tasks.record', (...args: unknown[]) => {
      calls.push(args);
      return args.length;
    });
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const ok = await add.apply([1, 2], {}, { link: record.s('after') });
    expect(calls).toEqual([[3, 'after']]);
    const [child] = await ok.children();
    expect(child).toBeInstanceOf(EagerResult);
    expect(await child?.get()).toBe(2);

    calls.length = 0;
    const boom = app.task('tasks.boom', () => {
      throw new Flaky('x');
    });
    const failed = await boom.apply([], {}, { link: record.s('never'), linkError: record.s('errback') });
    expect(calls).toEqual([[failed.id, 'errback']]);
  });

  it('without alwaysEager, a task sent from inside an eager task goes to the broker (as Celery)', async () => {
    const { app } = eagerApp();
    const inner = app.task('tasks.inner', () => 1);
    const outer = app.task('tasks.outer', async () => {
      await inner.delay();
    });
    const result = await outer.apply();
    expect(result.status).toBe('FAILURE');
    expect(((await result.get({ propagate: false })) as RemoteError).message).toMatch(/eager mode must not connect the broker/);
  });

  it('fires taskPrerun, taskSuccess / taskFailure / taskRetry and taskPostrun as a worker does', async () => {
    const events: [HookName, string, unknown][] = [];
    const { app } = eagerApp({
      plugins: [
        {
          name: 'recorder',
          setup(api) {
            api.hook('taskPrerun', (p) => void events.push(['taskPrerun', p.taskName, null]));
            api.hook('taskSuccess', (p) => void events.push(['taskSuccess', p.taskName, p.result]));
            api.hook('taskFailure', (p) => void events.push(['taskFailure', p.taskName, (p.error as Error).message]));
            api.hook('taskRetry', (p) => void events.push(['taskRetry', p.taskName, p.countdownMs]));
            api.hook('taskPostrun', (p) => void events.push(['taskPostrun', p.taskName, p.state]));
          },
        },
      ],
    });
    const retryOnce = app.task({ name: 'tasks.retryOnce', bind: true }, (ctx: TaskContext) => (ctx.retries === 0 ? ctx.retry({ countdown: 10 }) : 'ok'));
    await retryOnce.apply();
    expect(events).toEqual([
      ['taskPrerun', 'tasks.retryOnce', null],
      ['taskRetry', 'tasks.retryOnce', 0],
      ['taskPostrun', 'tasks.retryOnce', 'RETRY'],
      ['taskPrerun', 'tasks.retryOnce', null],
      ['taskSuccess', 'tasks.retryOnce', 'ok'],
      ['taskPostrun', 'tasks.retryOnce', 'SUCCESS'],
    ]);

    events.length = 0;
    const boom = app.task('tasks.boom', () => {
      throw new Flaky('hooked');
    });
    await boom.apply();
    expect(events).toEqual([
      ['taskPrerun', 'tasks.boom', null],
      ['taskFailure', 'tasks.boom', 'hooked'],
      ['taskPostrun', 'tasks.boom', 'FAILURE'],
    ]);

    // Propagating, Celery raises before handling the failure: no taskFailure, taskPostrun still fires.
    events.length = 0;
    await expect(boom.apply([], {}, { throw: true })).rejects.toThrow('hooked');
    expect(events.map(([name]) => name)).toEqual(['taskPrerun', 'taskPostrun']);
  });

  it('stores nothing by default; with task.storeEagerResult stores states, updateState included', async () => {
    const progress = (app: ReturnType<typeof eagerApp>['app']) =>
      app.task({ name: 'tasks.progress', bind: true }, async (ctx: TaskContext) => {
        await ctx.updateState('PROGRESS', { done: 1 });
        return 'finished';
      });
    const plain = eagerApp().app;
    const notStored = await progress(plain).apply();
    expect(await plain.asyncResult(notStored.id).state()).toBe('PENDING');

    const storing = eagerApp({ task: { storeEagerResult: true } }).app;
    const states: string[] = [];
    const backend = await storing.getBackend();
    const store = backend!.storeResult.bind(backend);
    backend!.storeResult = (meta, options) => {
      states.push(meta.status);
      return store(meta, options);
    };
    const stored = await progress(storing).apply();
    expect(states).toEqual(['PROGRESS', 'SUCCESS']);
    expect(await storing.asyncResult(stored.id).get({ timeout: 5 })).toBe('finished');

    const boom = storing.task('tasks.boom', () => {
      throw new Flaky('kept');
    });
    const failed = await boom.apply();
    await expect(storing.asyncResult(failed.id).get({ timeout: 5 })).rejects.toThrow(/Flaky: kept/);
  });

  it('a task that ignores its result stores errors only with storeErrorsEvenIfIgnored, as Celery', async () => {
    const fn = () => {
      throw new Flaky('ignored failure');
    };
    const quiet = eagerApp({ task: { storeEagerResult: true } }).app;
    const notStored = await quiet.task({ name: 'tasks.quiet', ignoreResult: true }, fn).apply();
    expect(await quiet.asyncResult(notStored.id).state()).toBe('PENDING');
    const kept = eagerApp({ task: { storeErrorsEvenIfIgnored: true } }).app;
    const stored = await kept.task({ name: 'tasks.kept', ignoreResult: true }, fn).apply();
    expect(await kept.asyncResult(stored.id).state()).toBe('FAILURE');
  });

  it('several callbacks run as Celery sends them: the tasks together as one group', async () => {
    const { app } = eagerApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const result = await add.apply([1, 1], {}, { link: [add.s(10), add.s(20)] });
    const [child] = await result.children();
    expect(child).toBeInstanceOf(EagerGroupResult);
    expect(await child?.get()).toEqual([12, 22]);
  });

  it('a task that is not registered cannot be applied', async () => {
    const { app } = eagerApp();
    await expect(app.signature('tasks.unknown').apply()).rejects.toThrow(/not registered/);
  });
});
