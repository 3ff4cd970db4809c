import { describe, expect, it } from 'vitest';
import { silentLogger } from '@q/core';
import type { HookPayloads } from '@q/core';
import { createWorker } from '../src/index.js';
import { makeApp, metaOf, namespace, recordSettlements, recordingLogger, sleep, startWorker, until } from './helpers.js';

describe('worker: consuming', () => {
  it('rejects a malformed message with a logged reason and keeps running', async () => {
    const rejected: HookPayloads['messageRejected'][] = [];
    const logger = recordingLogger();
    const app = makeApp(namespace(), {
      logger,
      plugins: [{ name: 'spy', setup: (api) => api.hook('messageRejected', (p) => void rejected.push(p)) }],
    });
    app.task({ name: 'tasks.ok' }, () => 'fine');
    await startWorker(app);
    const transport = await app.getTransport();
    const message = (body: string, headers: Record<string, unknown>, contentType = 'application/json') => ({
      body: new TextEncoder().encode(body),
      contentType,
      contentEncoding: 'utf-8',
      headers,
      properties: {},
    });
    await transport.publish(message('not json', { task: 'tasks.ok', id: 'bad-1' }), { exchange: '', routingKey: 'celery' });
    await transport.publish(message('[[1], {}]', { task: 'tasks.ok', id: 'bad-2' }), { exchange: '', routingKey: 'celery' });
    await transport.publish(message('x', { task: 'tasks.ok', id: 'bad-3' }, 'application/x-python-serialize'), { exchange: '', routingKey: 'celery' });
    const r = await app.sendTask('tasks.ok');
    expect(await r.get({ timeout: 3 })).toBe('fine');
    await until(() => rejected.length, (n) => n === 3);
    expect(rejected.map((p) => p.taskId).sort()).toEqual(['bad-1', 'bad-2', 'bad-3']);
    expect(logger.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('Rejecting'))).toHaveLength(3);
    expect(await transport.queueSize?.('celery')).toBe(0);
  });

  it('stores FAILURE NotRegistered for an unknown task and rejects its message without requeue', async () => {
    const ns = namespace();
    const app = makeApp(ns);
    const settled: string[] = [];
    recordSettlements(app, settled);
    await startWorker(app);
    const r = await app.sendTask('tasks.nobody');
    const meta = await metaOf(app, r.id);
    expect(meta.status).toBe('FAILURE');
    expect(meta.result).toEqual({ exc_type: 'NotRegistered', exc_message: ['tasks.nobody'], exc_module: 'celery.exceptions' });
    await until(() => settled.length, (n) => n === 1);
    expect(settled).toEqual(['drop']);
  });

  it('stores REVOKED for an expired task and does not run it', async () => {
    const app = makeApp(namespace());
    let ran = false;
    app.task({ name: 'tasks.late' }, () => {
      ran = true;
    });
    const revoked: HookPayloads['taskRevoked'][] = [];
    await app.use({ name: 'spy', setup: (api) => api.hook('taskRevoked', (p) => void revoked.push(p)) });
    await startWorker(app);
    const r = await app.sendTask('tasks.late', [], {}, { expires: new Date(Date.now() - 1000) });
    const meta = await metaOf(app, r.id);
    expect(meta.status).toBe('REVOKED');
    expect(meta.result).toEqual({ exc_type: 'TaskRevokedError', exc_message: ['expired'], exc_module: 'celery.exceptions' });
    expect(ran).toBe(false);
    expect(revoked).toMatchObject([{ taskId: r.id, expired: true, terminated: false }]);
  });

  it('holds an ETA task on the timer while other tasks run, raising the prefetch while it waits', async () => {
    const app = makeApp(namespace());
    const order: string[] = [];
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void order.push(x));
    const worker = await startWorker(app, { concurrency: 1, prefetchMultiplier: 2 });
    expect(worker.stats().prefetch).toBe(2);
    const later = await app.sendTask('tasks.mark', ['later'], {}, { countdown: 0.25 });
    await until(() => worker.stats().scheduled, (n) => n === 1);
    expect(worker.stats().prefetch).toBe(3);
    const now = await app.sendTask('tasks.mark', ['now']);
    await now.get({ timeout: 3 });
    expect(order).toEqual(['now']);
    await later.get({ timeout: 3 });
    expect(order).toEqual(['now', 'later']);
    expect(worker.stats().scheduled).toBe(0);
    expect(worker.stats().prefetch).toBe(2);
  });

  it('warm shutdown finishes the running task and requeues prefetched and ETA-held messages for another worker', async () => {
    const ns = namespace();
    const define = (app: ReturnType<typeof makeApp>, ran: string[]) =>
      app.task({ name: 'tasks.slow', params: ['n'] }, async (n: number) => {
        ran.push(String(n));
        await sleep(60);
        return n;
      });
    const app1 = makeApp(ns);
    const ran1: string[] = [];
    define(app1, ran1);
    // closeApp: false keeps app1's transport open, so only the worker's own nacks can hand messages back.
    const w1 = await startWorker(app1, { pool: 'solo', prefetchMultiplier: 4, closeApp: false });
    const results = [];
    for (const n of [1, 2, 3]) results.push(await app1.sendTask('tasks.slow', [n]));
    const held = await app1.sendTask('tasks.slow', [4], {}, { countdown: 0.3 });
    await until(() => w1.stats(), (s) => s.active === 1 && s.reserved === 2 && s.scheduled === 1);
    await w1.stop({ graceful: true });
    expect(w1.state).toBe('stopped');
    expect(ran1).toEqual(['1']);

    const app2 = makeApp(ns);
    const ran2: string[] = [];
    define(app2, ran2);
    await startWorker(app2, { hostname: 'w2@test' });
    const values = await Promise.all([...results, held].map((r) => app2.asyncResult(r.id).get({ timeout: 3 })));
    expect(values).toEqual([1, 2, 3, 4]);
    expect(ran2.sort()).toEqual(['2', '3', '4']);
  });

  it('cold shutdown aborts a running acksLate task and requeues it', async () => {
    const ns = namespace();
    const app1 = makeApp(ns);
    let aborted = false;
    app1.task({ name: 'tasks.long', bind: true, acksLate: true }, (ctx) =>
      new Promise((resolve) => ctx.signal.addEventListener('abort', () => ((aborted = true), resolve('aborted')))),
    );
    const w1 = await startWorker(app1, { closeApp: false });
    const r = await app1.sendTask('tasks.long');
    await until(() => w1.stats().active, (n) => n === 1);
    await w1.stop({ graceful: false });
    expect(aborted).toBe(true);
    const app2 = makeApp(ns);
    app2.task({ name: 'tasks.long' }, () => 'second run');
    await startWorker(app2, { hostname: 'w2@test' });
    expect(await app2.asyncResult(r.id).get({ timeout: 3 })).toBe('second run');
  });
});

describe('worker: lifecycle', () => {
  it('goes idle → starting → running → stopping → stopped, logs ready and runs workerReady/workerShutdown', async () => {
    const logger = recordingLogger();
    const hooks: string[] = [];
    const app = makeApp(namespace(), {
      logger,
      plugins: [
        {
          name: 'spy',
          setup(api) {
            api.hook('workerReady', (p) => void hooks.push(`ready ${p.hostname}`));
            api.hook('workerShutdown', (p) => void hooks.push(`shutdown ${String(p.graceful)}`));
          },
        },
      ],
    });
    const worker = createWorker(app, { hostname: 'life@%n', pool: 'solo' });
    expect(worker.state).toBe('idle');
    const starting = worker.start();
    expect(worker.state).toBe('starting');
    await starting;
    expect(worker.state).toBe('running');
    expect(worker.bootsteps).toEqual(['connection', 'shared-revokes', 'pool', 'timer', 'pidbox', 'mingle', 'consumer']);
    expect(logger.lines.some((l) => l.level === 'info' && l.msg === `${worker.hostname} ready.`)).toBe(true);
    await expect(worker.start()).rejects.toMatchObject({ code: 'Q_ERR_WORKER_STATE' });
    const stopping = worker.stop();
    expect(worker.stop()).toBe(stopping);
    await stopping;
    expect(worker.state).toBe('stopped');
    expect(hooks).toEqual([`ready ${worker.hostname}`, 'shutdown true']);
  });

  it('runs plugin bootsteps in dependency order and stops them in reverse', async () => {
    const log: string[] = [];
    const app = makeApp(namespace(), {
      plugins: [
        {
          name: 'steps',
          setup(api) {
            api.bootstep({
              name: 'after-consumer',
              requires: ['consumer'],
              start: async () => void log.push('start'),
              stop: async () => void log.push('stop'),
            });
          },
        },
      ],
    });
    const worker = await startWorker(app);
    expect(worker.bootsteps.at(-1)).toBe('after-consumer');
    await worker.stop();
    expect(log).toEqual(['start', 'stop']);
  });

  it('a failing bootstep stops the started ones and rejects; the worker is stopped', async () => {
    const app = makeApp(namespace());
    const worker = createWorker(app, {
      logger: silentLogger,
      bootsteps: [{ name: 'broken', requires: ['pool'], start: () => Promise.reject(new Error('nope')), stop: async () => undefined }],
    });
    await expect(worker.start()).rejects.toMatchObject({ code: 'Q_ERR_BOOTSTEP_FAILED' });
    expect(worker.state).toBe('stopped');
  });

  it('installSignalHandlers: SIGTERM starts a warm shutdown; the returned function removes the handlers', async () => {
    const app = makeApp(namespace());
    const worker = await startWorker(app);
    const before = process.listenerCount('SIGTERM');
    const remove = worker.installSignalHandlers();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM');
    await until(() => worker.state, (s) => s === 'stopped');
    remove();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('SIGQUIT')).toBe(0);
  });
});
