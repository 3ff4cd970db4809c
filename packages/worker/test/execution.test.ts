import { describe, expect, it } from 'vitest';
import { Ignore, Reject } from '@q/core';
import { newTaskMessage } from '@q/core/internal';
import type { TaskContext } from '@q/core';
import { makeApp, metaOf, namespace, recordSettlements, recordingLogger, sleep, startWorker, until } from './helpers.js';

describe('worker: running tasks (memory transport + memory backend)', () => {
  it('runs a task with args and kwargs and stores SUCCESS', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const worker = await startWorker(app);
    const r1 = await app.sendTask('tasks.add', [2, 3]);
    const r2 = await app.sendTask('tasks.add', [10], { y: 5 });
    expect(await r1.get({ timeout: 3 })).toBe(5);
    expect(await r2.get({ timeout: 3 })).toBe(15);
    const meta = await metaOf(app, r1.id);
    expect(meta).toMatchObject({ status: 'SUCCESS', result: 5, traceback: null, children: [] });
    expect(meta.dateDone).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+$/);
    await until(() => worker.stats().processed, (n) => n === 2);
    expect(worker.stats().processedByTask).toEqual({ 'tasks.add': 2 });
  });

  it('gives a bound task its request context', async () => {
    const app = makeApp(namespace());
    let seen: TaskContext | undefined;
    app.task({ name: 'tasks.ctx', bind: true }, (ctx: TaskContext, a: number) => {
      seen = ctx;
      return a;
    });
    await startWorker(app, { hostname: 'ctx@%h' });
    const r = await app.sendTask('tasks.ctx', [1], {}, { headers: { custom: 'x' } });
    await r.get({ timeout: 3 });
    expect(seen).toMatchObject({ id: r.id, name: 'tasks.ctx', args: [1], retries: 0, rootId: r.id, parentId: null, isEager: false });
    expect(seen?.hostname.startsWith('ctx@')).toBe(true);
    expect(seen?.deliveryInfo.routingKey).toBe('celery');
    expect(seen?.headers.custom).toBe('x');
    expect(seen?.signal.aborted).toBe(false);
  });

  it('stores FAILURE with the error type, message and a traceback', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.fail' }, () => {
      throw new TypeError('bad thing');
    });
    await startWorker(app);
    const r = await app.sendTask('tasks.fail');
    const meta = await metaOf(app, r.id);
    expect(meta.status).toBe('FAILURE');
    expect(meta.result).toEqual({ exc_type: 'TypeError', exc_message: ['bad thing'], exc_module: 'builtins' });
    expect(meta.traceback).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(meta.traceback).toContain('TypeError: bad thing');
    await expect(r.get({ timeout: 3 })).rejects.toThrow(/TypeError: bad thing/);
  });

  it("stores an argument-binding error as Python's builtins.TypeError (what a Celery client rebuilds)", async () => {
    const app = makeApp(namespace());
    const logger = recordingLogger();
    app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    await startWorker(app, { logger });
    const missing = await app.sendTask('tasks.add', [1]);
    const unknown = await app.sendTask('tasks.add', [1, 2], { z: 3 });
    expect((await metaOf(app, missing.id)).result).toEqual({
      exc_type: 'TypeError', exc_message: ["tasks.add() missing 1 required positional argument: 'y'"], exc_module: 'builtins',
    });
    const meta = await metaOf(app, unknown.id);
    expect(meta).toMatchObject({ status: 'FAILURE', result: { exc_type: 'TypeError', exc_module: 'builtins' } });
    expect(meta.traceback).toMatch(/\nTypeError: tasks\.add\(\) got an unexpected keyword argument 'z'\n$/);
    await expect(unknown.get({ timeout: 3 })).rejects.toMatchObject({ excType: 'TypeError', excModule: 'builtins' });
    expect(logger.lines.some((l) => l.level === 'error' && l.msg.includes(`tasks.add[${missing.id}] raised unexpected: TypeError(`))).toBe(true);
  });

  it('retries with a fractional countdown, then succeeds (same id, retries + 1, parent = itself)', async () => {
    const app = makeApp(namespace());
    const attempts: { retries: number; parentId: string | null }[] = [];
    app.task({ name: 'tasks.flaky', bind: true }, (ctx: TaskContext) => {
      attempts.push({ retries: ctx.retries, parentId: ctx.parentId });
      if (ctx.retries < 2) ctx.retry({ countdown: 0.05, exc: new Error('not yet') });
      return 'ok';
    });
    const worker = await startWorker(app);
    const started = Date.now();
    const r = await app.sendTask('tasks.flaky');
    expect(await r.get({ timeout: 3 })).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(attempts).toEqual([
      { retries: 0, parentId: null },
      { retries: 1, parentId: r.id },
      { retries: 2, parentId: r.id },
    ]);
    expect((await metaOf(app, r.id)).parentId).toBe(r.id);
    expect(worker.stats().processed).toBe(3);
  });

  it('stores RETRY with the reason between attempts', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.later', bind: true }, (ctx: TaskContext) => {
      if (ctx.retries === 0) ctx.retry({ countdown: 0.3, exc: new RangeError('boom') });
      return 1;
    });
    await startWorker(app);
    const r = await app.sendTask('tasks.later');
    const retry = await metaOf(app, r.id, ['RETRY']);
    expect(retry.result).toEqual({ exc_type: 'ValueError', exc_message: ['boom'], exc_module: 'builtins' });
    expect(retry.children).toEqual([[[r.id, null], null]]);
    expect(retry.dateDone).toBeNull();
    expect(await r.get({ timeout: 3 })).toBe(1);
  });

  it('autoretryFor retries on the listed errors and fails with the original error after maxRetries', async () => {
    const app = makeApp(namespace());
    class FlakyError extends Error {}
    let calls = 0;
    app.task({ name: 'tasks.auto', autoretryFor: [FlakyError], maxRetries: 2, retryBackoff: 0.01, retryJitter: false }, () => {
      calls += 1;
      throw new FlakyError(`attempt ${calls}`);
    });
    await startWorker(app);
    const r = await app.sendTask('tasks.auto');
    const meta = await metaOf(app, r.id);
    expect(calls).toBe(3);
    expect(meta.status).toBe('FAILURE');
    expect(meta.result).toMatchObject({ exc_type: 'FlakyError', exc_message: ['attempt 3'] });
  });

  it('ctx.retry beyond maxRetries fails with MaxRetriesExceededError', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.always', bind: true, maxRetries: 1 }, (ctx: TaskContext) => ctx.retry({ countdown: 0.01 }));
    await startWorker(app);
    const r = await app.sendTask('tasks.always');
    const meta = await metaOf(app, r.id);
    expect(meta.result).toMatchObject({ exc_type: 'MaxRetriesExceededError', exc_module: 'celery.exceptions' });
  });

  it('applies link callbacks, link_error errbacks and chain steps', async () => {
    const app = makeApp(namespace());
    const calls: { name: string; args: unknown[]; parentId: string | null; rootId: string | null }[] = [];
    const record = (name: string) => (ctx: TaskContext, ...args: unknown[]) => {
      calls.push({ name, args, parentId: ctx.parentId, rootId: ctx.rootId });
      return args.reduce((a: number, b) => a + Number(b), 0);
    };
    app.task({ name: 'tasks.add', bind: true, params: ['x', 'y'] }, record('add'));
    app.task({ name: 'tasks.sum', bind: true, params: ['x', 'y'] }, record('sum'));
    app.task({ name: 'tasks.err', bind: true, params: ['id', 'note'] }, record('err'));
    app.task({ name: 'tasks.boom' }, () => {
      throw new Error('x');
    });
    await startWorker(app);

    // link: callback gets the result prepended; parent = the finished task, root inherited.
    const r = await app.sendTask('tasks.add', [1, 2], {}, { link: { task: 'tasks.sum', args: [10], kwargs: {}, options: {}, subtask_type: null, immutable: false } });
    await r.get({ timeout: 3 });
    await until(() => calls.filter((c) => c.name === 'sum').length, (n) => n === 1);
    expect(calls.find((c) => c.name === 'sum')).toEqual({ name: 'sum', args: [3, 10], parentId: r.id, rootId: r.id });
    expect((await metaOf(app, r.id)).children).toHaveLength(1);

    // chain: embed.chain is a reversed stack; the next step gets the result and the rest of the chain.
    const step2 = { task: 'tasks.add', args: [100], kwargs: {}, options: { task_id: 'step-2' }, subtask_type: null, immutable: false };
    const step3 = { task: 'tasks.sum', args: [1000], kwargs: {}, options: { task_id: 'step-3' }, subtask_type: null, immutable: false };
    // (sendTask has no chain option: publish a chain head by hand)
    const head = app.route('tasks.add');
    await app.publish(newTaskMessage({ id: 'chain-1', name: 'tasks.add', args: [1, 1], embed: { callbacks: null, errbacks: null, chain: [step3, step2], chord: null } }), head);
    expect(await app.asyncResult('step-3').get({ timeout: 3 })).toBe(1102);
    expect(calls.find((c) => c.name === 'add' && c.args[0] === 2)).toMatchObject({ args: [2, 100], parentId: 'chain-1', rootId: 'chain-1' });
    expect(calls.find((c) => c.name === 'sum' && c.args[1] === 1000)).toMatchObject({ args: [102, 1000], parentId: 'step-2', rootId: 'chain-1' });
    expect((await metaOf(app, 'chain-1')).children).toEqual([[['step-2', null], null]]);

    // link_error: errback is sent with the failed task's id prepended (immutable ones unchanged).
    const bad = await app.sendTask('tasks.boom', [], {}, {
      linkError: [
        { task: 'tasks.err', args: ['note'], kwargs: {}, options: {}, subtask_type: null, immutable: false },
        { task: 'tasks.err', args: ['only', 'these'], kwargs: {}, options: {}, subtask_type: null, immutable: true },
      ],
    });
    await until(() => calls.filter((c) => c.name === 'err').length, (n) => n === 2);
    const errs = calls.filter((c) => c.name === 'err').map((c) => c.args);
    expect(errs).toContainEqual([bad.id, 'note']);
    expect(errs).toContainEqual(['only', 'these']);
  });

  it('acks before running by default and after running with acksLate', async () => {
    const app = makeApp(namespace());
    const log: string[] = [];
    recordSettlements(app, log);
    app.task({ name: 'tasks.early' }, async () => {
      log.push('run');
      await sleep(5);
      log.push('done');
    });
    app.task({ name: 'tasks.late', acksLate: true }, async () => {
      log.push('run');
      await sleep(5);
      log.push('done');
    });
    await startWorker(app);
    await (await app.sendTask('tasks.early')).get({ timeout: 3 });
    await until(() => log.length, (n) => n === 3);
    expect(log.splice(0)).toEqual(['ack', 'run', 'done']);
    await (await app.sendTask('tasks.late')).get({ timeout: 3 });
    await until(() => log.length, (n) => n === 3);
    expect(log).toEqual(['run', 'done', 'ack']);
  });

  it('runs without waiting for the early ack reply; the run still settles only once the ack completes', async () => {
    const app = makeApp(namespace());
    const log: string[] = [];
    let releaseAcks!: () => void;
    recordSettlements(app, log, new Promise<void>((r) => (releaseAcks = r)));
    app.task({ name: 'tasks.quick' }, () => {
      log.push('run');
      return 7;
    });
    const worker = await startWorker(app);
    const r = await app.sendTask('tasks.quick');
    expect(await r.get({ timeout: 3 })).toBe(7);
    expect(log).toEqual(['ack', 'run']);
    let stopped = false;
    const stopping = worker.stop({ graceful: true }).then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    releaseAcks();
    await stopping;
    expect(stopped).toBe(true);
    expect(log).toEqual(['ack', 'run']);
  });

  it('logs task lines only at enabled levels (a pino-shaped isLevelEnabled is asked)', async () => {
    const logger = recordingLogger();
    const quietInfo = Object.assign(logger, { isLevelEnabled: (level: string) => level !== 'info' });
    const app = makeApp(namespace(), { logger: quietInfo });
    app.task({ name: 'tasks.fine' }, () => 1);
    app.task({ name: 'tasks.bad' }, () => {
      throw new Error('bad');
    });
    const worker = await startWorker(app);
    await (await app.sendTask('tasks.fine')).get({ timeout: 3 });
    await (await app.sendTask('tasks.bad')).get({ timeout: 3, propagate: false });
    await until(() => worker.stats().processed, (n) => n === 2);
    expect(logger.lines.filter((l) => l.level === 'info' && / (received|succeeded in)/.test(l.msg))).toEqual([]);
    expect(logger.lines.filter((l) => l.level === 'error' && l.msg.includes('raised unexpected'))).toHaveLength(1);

    const loud = recordingLogger();
    const app2 = makeApp(namespace(), { logger: loud });
    app2.task({ name: 'tasks.fine' }, () => 1);
    await startWorker(app2);
    await (await app2.sendTask('tasks.fine')).get({ timeout: 3 });
    await until(() => loud.lines.filter((l) => l.level === 'info' && / (received|succeeded in)/.test(l.msg)).length, (n) => n === 2);
  });

  it('Reject (with acksLate) drops or requeues the message and stores nothing; Ignore acks and stores nothing', async () => {
    const app = makeApp(namespace());
    const log: string[] = [];
    recordSettlements(app, log);
    let rejects = 0;
    app.task({ name: 'tasks.reject', acksLate: true }, () => {
      rejects += 1;
      throw new Reject({ requeue: rejects === 1, reason: 'nope' });
    });
    app.task({ name: 'tasks.ignore' }, () => {
      throw new Ignore();
    });
    const worker = await startWorker(app, { pool: 'solo' });
    const r = await app.sendTask('tasks.reject');
    await until(() => rejects, (n) => n === 2);
    const i = await app.sendTask('tasks.ignore');
    await until(() => worker.stats().processed, (n) => n === 3);
    expect(log).toEqual(['requeue', 'drop', 'ack']);
    expect(await r.state()).toBe('PENDING');
    expect(await i.state()).toBe('PENDING');
  });

  it('stores STARTED with pid and hostname when trackStarted, and nothing when ignoreResult', async () => {
    const app = makeApp(namespace());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.task({ name: 'tasks.tracked', trackStarted: true }, async () => {
      await gate;
      return 1;
    });
    app.task({ name: 'tasks.quiet', ignoreResult: true }, () => 2);
    const worker = await startWorker(app);
    const r = await app.sendTask('tasks.tracked');
    const started = await metaOf(app, r.id, ['STARTED']);
    expect(started.result).toEqual({ pid: process.pid, hostname: worker.hostname });
    release();
    await r.get({ timeout: 3 });
    const q = await app.sendTask('tasks.quiet');
    await until(() => worker.stats().processed, (n) => n === 2);
    expect(await q.state()).toBe('PENDING');
  });

  it('aborts the signal at the soft limit and fails with TimeLimitExceeded at the hard limit', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.soft', bind: true, softTimeLimit: 0.02 }, (ctx: TaskContext) =>
      new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))),
    );
    app.task({ name: 'tasks.hard' }, () => new Promise(() => undefined));
    const worker = await startWorker(app);
    const soft = await app.sendTask('tasks.soft');
    expect((await metaOf(app, soft.id)).result).toMatchObject({ exc_type: 'SoftTimeLimitExceeded', exc_module: 'billiard.exceptions' });
    const hard = await app.sendTask('tasks.hard', [], {}, { timeLimit: 0.03 });
    expect((await metaOf(app, hard.id)).result).toEqual({ exc_type: 'TimeLimitExceeded', exc_message: [0.03], exc_module: 'billiard.exceptions' });
    // The abandoned body never settles: on `async` it keeps its slot (never more than `concurrency` bodies at once).
    expect(worker.stats().active).toBe(1);
  });
});

describe('worker: states and hooks', () => {
  it('runs the task hooks in order for a success and a failure', async () => {
    const seen: string[] = [];
    const app = makeApp(namespace(), {
      plugins: [
        {
          name: 'spy',
          setup(api) {
            api.hook('taskPrerun', (p) => void seen.push(`prerun ${p.taskName}`));
            api.hook('taskSuccess', (p) => void seen.push(`success ${String(p.result)}`));
            api.hook('taskFailure', (p) => void seen.push(`failure ${(p.error as Error).message}`));
            api.hook('taskPostrun', (p) => void seen.push(`postrun ${p.state}`));
          },
        },
      ],
    });
    app.task({ name: 'tasks.one' }, () => 1);
    app.task({ name: 'tasks.bad' }, () => {
      throw new Error('no');
    });
    const worker = await startWorker(app, { pool: 'solo' });
    await app.sendTask('tasks.one');
    await until(() => seen.length, (n) => n === 3);
    await app.sendTask('tasks.bad');
    await until(() => worker.stats().processed, (n) => n === 2);
    await until(() => seen.length, (n) => n === 6);
    expect(seen).toEqual(['prerun tasks.one', 'success 1', 'postrun SUCCESS', 'prerun tasks.bad', 'failure no', 'postrun FAILURE']);
  });

  it('updateState stores a custom state; extended results carry name, args, worker and queue', async () => {
    const app = makeApp(namespace(), { result: { extended: true } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.task({ name: 'tasks.progress', bind: true, params: ['n'] }, async (ctx: TaskContext, n: number) => {
      await ctx.updateState('PROGRESS', { done: 1, total: n });
      await gate;
      return n;
    });
    const worker = await startWorker(app);
    const r = await app.sendTask('tasks.progress', [3]);
    const progress = await metaOf(app, r.id, ['PROGRESS']);
    expect(progress.result).toEqual({ done: 1, total: 3 });
    expect(progress.dateDone).toBeNull();
    release();
    const done = await metaOf(app, r.id);
    expect(done.extended).toEqual({ name: 'tasks.progress', args: [3], kwargs: {}, worker: worker.hostname, retries: 0, queue: 'celery' });
  });

  it('revokes a task that expired while it waited for a pool slot', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.block', params: ['x'] }, async (x: string) => {
      ran.push(x);
      await sleep(80);
    });
    await startWorker(app, { pool: 'solo' });
    await app.sendTask('tasks.block', ['first']);
    const r = await app.sendTask('tasks.block', ['second'], {}, { expires: 0.03 });
    expect((await metaOf(app, r.id)).status).toBe('REVOKED');
    expect(ran).toEqual(['first']);
  });
});
