/**
 * Where results go: every state the worker stores carries the message's `reply_to` and `correlation_id` (the
 * rpc backend sends the result there), and a task whose result is ignored stores nothing (Celery's rules).
 */
import { keyValueBackend, memoryKeyValueDriver } from '@q/core';
import type { ResultBackend, TaskContext, TaskMeta } from '@q/core';
import type { StoreOptions } from '@q/core/adapter';
import { describe, expect, it } from 'vitest';
import { makeApp, namespace, startWorker, until } from './helpers.js';

/** A memory backend that records each `storeResult` call. */
function recordingBackend(ns: string): { backend: ResultBackend; stores: { meta: TaskMeta; options: StoreOptions }[] } {
  const inner = keyValueBackend(memoryKeyValueDriver({ namespace: ns }));
  const stores: { meta: TaskMeta; options: StoreOptions }[] = [];
  const backend: ResultBackend = {
    ...inner,
    capabilities: inner.capabilities,
    connect: () => inner.connect(),
    close: () => inner.close(),
    getTaskMeta: (id) => inner.getTaskMeta(id),
    forget: (id) => inner.forget(id),
    describe: () => inner.describe(),
    async storeResult(meta, options) {
      stores.push({ meta, options });
      await inner.storeResult(meta, options);
    },
  };
  return { backend, stores };
}

describe('worker: result destination (StoreOptions)', () => {
  it('STARTED, RETRY and SUCCESS carry reply_to and correlation_id of the message', async () => {
    const ns = namespace();
    const { backend, stores } = recordingBackend(ns);
    const app = makeApp(ns, { backend });
    app.task({ name: 'tasks.twice', bind: true, trackStarted: true }, (ctx: TaskContext) => {
      if (ctx.retries === 0) ctx.retry({ countdown: 0.01 });
      return 'done';
    });
    await startWorker(app);
    const r = await app.sendTask('tasks.twice');
    expect(await r.get({ timeout: 5 })).toBe('done');
    // The retry is published before RETRY is stored (as in Celery), so the second STARTED may come first.
    expect(stores.map((s) => s.meta.status).sort()).toEqual(['RETRY', 'STARTED', 'STARTED', 'SUCCESS']);
    for (const { options } of stores) {
      expect(options).toMatchObject({ replyTo: app.oid, correlationId: r.id, expiresMs: 86_400_000 });
    }
  });

  it('a FAILURE goes to the reply_to given at the call', async () => {
    const ns = namespace();
    const { backend, stores } = recordingBackend(ns);
    const app = makeApp(ns, { backend });
    app.task({ name: 'tasks.bad' }, () => {
      throw new Error('no');
    });
    await startWorker(app);
    const r = await app.sendTask('tasks.bad', [], {}, { replyTo: 'someone-else' });
    await until(() => stores.length, (n) => n === 1);
    expect(stores[0]).toMatchObject({ meta: { status: 'FAILURE' }, options: { replyTo: 'someone-else', correlationId: r.id } });
  });

  it('an ignored result stores nothing: no STARTED, RETRY, SUCCESS or FAILURE (task option or per call)', async () => {
    const ns = namespace();
    const { backend, stores } = recordingBackend(ns);
    const app = makeApp(ns, { backend });
    const flow = (ctx: TaskContext, fail: boolean) => {
      if (ctx.retries === 0) ctx.retry({ countdown: 0.01 });
      if (fail) throw new Error('failed after retry');
      return 1;
    };
    app.task({ name: 'tasks.ignored', bind: true, trackStarted: true, ignoreResult: true }, flow);
    app.task({ name: 'tasks.tracked', bind: true, trackStarted: true }, flow);
    const worker = await startWorker(app);
    await app.sendTask('tasks.ignored', [false]);
    await app.sendTask('tasks.ignored', [true]);
    await app.sendTask('tasks.tracked', [true], {}, { ignoreResult: true });
    await until(() => worker.stats().processed, (n) => n === 6);
    expect(stores).toEqual([]);
  });

  it('with storeErrorsEvenIfIgnored, an ignored result still stores RETRY and FAILURE, never STARTED or SUCCESS', async () => {
    const ns = namespace();
    const { backend, stores } = recordingBackend(ns);
    const app = makeApp(ns, { backend, task: { storeErrorsEvenIfIgnored: true } });
    app.task({ name: 'tasks.ignored', bind: true, trackStarted: true, ignoreResult: true }, (ctx: TaskContext, fail: boolean) => {
      if (ctx.retries === 0) ctx.retry({ countdown: 0.01 });
      if (fail) throw new Error('failed after retry');
      return 1;
    });
    const worker = await startWorker(app, { pool: 'solo' });
    await app.sendTask('tasks.ignored', [false]);
    await until(() => worker.stats().processed, (n) => n === 2);
    await app.sendTask('tasks.ignored', [true]);
    await until(() => worker.stats().processed, (n) => n === 4);
    expect(stores.map((s) => s.meta.status).sort()).toEqual(['FAILURE', 'RETRY', 'RETRY']);
  });
});
