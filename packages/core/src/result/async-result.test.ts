import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app/app.js';
import type { ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { BackendError, ConnectionError, QError, RemoteError, TimeoutError } from '../errors/q-error.js';
import { setAppModuleLoading } from '../config/app-module-loading.js';
import { resolveConfig } from '../config/resolve-config.js';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import { AsyncResult } from './async-result.js';
import { isReady } from './states.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function meta(taskId: string, status: string, result: unknown, extra: Partial<TaskMeta> = {}): TaskMeta {
  return { taskId, status, result, traceback: null, children: [], dateDone: isReady(status) ? '2026-11-22T02:39:41.344238' : null, ...extra };
}

async function setup(push = true) {
  const ns = `result-${randomUUID()}`;
  const app = createApp({ broker: `memory://${ns}`, backend: `memory://${ns}`, result: { pollInterval: 0.01 } });
  apps.push(app);
  const backend = (await app.getBackend()) as ResultBackend;
  const store = (m: TaskMeta) => backend.storeResult(m, { expiresMs: null });
  const host = push
    ? app
    : {
        conf: app.conf,
        getBackend: async (): Promise<ResultBackend> => ({
          capabilities: { ...backend.capabilities, push: false },
          connect: async () => {},
          close: async () => {},
          storeResult: (m, o) => backend.storeResult(m, o),
          getTaskMeta: (id) => backend.getTaskMeta(id),
          forget: (id) => backend.forget(id),
          describe: () => 'polling',
        }),
      };
  return { app, backend, store, result: <T>(id: string) => new AsyncResult<T>(id, host) };
}

const TRACEBACK = 'Traceback (most recent call last):\n  File "capapp.py", line 31, in fail\n    raise ValueError(msg)\nValueError: bad thing\n';

describe.each([
  ['push (watch)', true],
  ['polling', false],
])('AsyncResult.get with %s', (_label, push) => {
  it('returns the result of a task that succeeds later', async () => {
    const { store, result } = await setup(push);
    const r = result<number>('t1');
    setTimeout(() => void store(meta('t1', 'STARTED', { pid: 1, hostname: 'w1@x' })), 5);
    setTimeout(() => void store(meta('t1', 'SUCCESS', 5)), 20);
    await expect(r.get({ timeout: 2 })).resolves.toBe(5);
  });

  it('throws a RemoteError with the remote type, message and traceback on FAILURE', async () => {
    const { store, result } = await setup(push);
    await store(meta('t2', 'FAILURE', { exc_type: 'ValueError', exc_message: ['bad thing'], exc_module: 'builtins' }, { traceback: TRACEBACK }));
    const err = await result('t2').get({ timeout: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['bad thing'], remoteTraceback: TRACEBACK, taskId: 't2' });
    expect((err as Error).message).toBe('ValueError: bad thing');
  });

  it('returns the error instead of throwing with propagate: false', async () => {
    const { store, result } = await setup(push);
    await store(meta('t3', 'FAILURE', { exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' }));
    const value = await result('t3').get({ timeout: 1, propagate: false });
    expect(value).toBeInstanceOf(RemoteError);
    expect((value as RemoteError).excType).toBe('KeyError');
  });

  it('times out with Q_ERR_TIMEOUT while the task is pending', async () => {
    const { result } = await setup(push);
    const started = Date.now();
    const err = await result('never').get({ timeout: 0.05, interval: 0.01 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe('Q_ERR_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('throws a TaskRevokedError-typed remote error for REVOKED', async () => {
    const { store, result } = await setup(push);
    await store(meta('t4', 'REVOKED', { exc_type: 'TaskRevokedError', exc_message: ['expired'], exc_module: 'celery.exceptions' }));
    await expect(result('t4').get({ timeout: 1 })).rejects.toMatchObject({ excType: 'TaskRevokedError', excArgs: ['expired'] });
  });

  it('without an exception document, fails REVOKED as TaskRevokedError("revoked") and FAILURE as Exception(text)', async () => {
    const { store, result } = await setup(push);
    await store(meta('t5', 'REVOKED', null));
    await store(meta('t6', 'FAILURE', 'plain text'));
    await expect(result('t5').get({ timeout: 1 })).rejects.toMatchObject({
      excType: 'TaskRevokedError', excModule: 'celery.exceptions', excArgs: ['revoked'], message: 'TaskRevokedError: revoked',
    });
    await expect(result('t6').get({ timeout: 1 })).rejects.toMatchObject({
      excType: 'Exception', excModule: 'builtins', excArgs: ['plain text'], message: 'Exception: plain text',
    });
  });

  it('with propagate: false returns a RemoteError for FAILURE and REVOKED, with or without an exception document', async () => {
    const { store, result } = await setup(push);
    await store(meta('t7', 'REVOKED', null));
    await store(meta('t8', 'REVOKED', { exc_type: 'TaskRevokedError', exc_message: ['expired'], exc_module: 'celery.exceptions' }));
    await store(meta('t9', 'FAILURE', 'plain text'));
    const revoked = await result('t7').get({ timeout: 1, propagate: false });
    expect(revoked).toBeInstanceOf(RemoteError);
    expect(revoked).toMatchObject({ excType: 'TaskRevokedError', excArgs: ['revoked'], taskId: 't7' });
    await expect(result('t8').get({ timeout: 1, propagate: false })).resolves.toMatchObject({ excType: 'TaskRevokedError', excArgs: ['expired'] });
    await expect(result('t9').get({ timeout: 1, propagate: false })).resolves.toMatchObject({ excType: 'Exception', excArgs: ['plain text'] });
    await store(meta('t10', 'SUCCESS', 10));
    await expect(result('t10').get({ timeout: 1, propagate: false })).resolves.toBe(10);
  });
});

describe('AsyncResult.get while a q command imports the app module', () => {
  afterEach(() => setAppModuleLoading(null));

  it('fails at once with Q_ERR_WAIT_DURING_IMPORT naming the module and the command, without reading the backend', async () => {
    let backendAsked = 0;
    const host = { conf: resolveConfig({}), getBackend: async (): Promise<ResultBackend | null> => { backendAsked++; return null; } };
    setAppModuleLoading({ module: '/srv/proj/tasks.ts', command: 'worker' });
    const t0 = performance.now();
    const err = await new AsyncResult('top-level', host).get({ timeout: 10 }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(err).toBeInstanceOf(QError);
    expect(err).toMatchObject({ code: 'Q_ERR_WAIT_DURING_IMPORT', retryable: false });
    const message = (err as QError).message;
    expect(message).toContain('/srv/proj/tasks.ts');
    expect(message).toContain('`q worker` starts only after that import finishes');
    expect(message).toMatch(/client module/);
    expect(message).toMatch(/function called later/);
    expect(backendAsked).toBe(0);
  });

  it('waits as usual once the import is over', async () => {
    const { store, result } = await setup();
    await store(meta('after-import', 'SUCCESS', 4));
    setAppModuleLoading({ module: 'tasks.ts', command: 'worker' });
    await expect(result('after-import').get({ timeout: 1 })).rejects.toMatchObject({ code: 'Q_ERR_WAIT_DURING_IMPORT' });
    setAppModuleLoading(null);
    await expect(result('after-import').get({ timeout: 1 })).resolves.toBe(4);
  });
});

describe('AsyncResult state accessors', () => {
  it('reports PENDING for an unknown id', async () => {
    const { result } = await setup();
    const r = result('unknown');
    expect(await r.meta()).toEqual({ taskId: 'unknown', status: 'PENDING', result: null, traceback: null, children: [], dateDone: null });
    expect(await r.ready()).toBe(false);
  });

  it('reads state, result, traceback, children and forgets', async () => {
    const { store, result } = await setup();
    await store(meta('p', 'SUCCESS', 3, { children: [[['c1', null], null], [['g', null], [[['m1', null], null], [['m2', null], null]]]] }));
    const r = result('p');
    expect(await r.state()).toBe('SUCCESS');
    expect(await r.successful()).toBe(true);
    expect(await r.failed()).toBe(false);
    expect(await r.result()).toBe(3);
    expect(await r.traceback()).toBeNull();
    // As Celery's `children`: a task's tuple is an AsyncResult, a group's a GroupResult holding its members.
    const children = await r.children();
    expect(children.map((c) => [c.kind, c.id])).toEqual([['task', 'c1'], ['group', 'g']]);
    expect((await children[1]!.children()).map((c) => c.id)).toEqual(['m1', 'm2']);
    await r.forget();
    expect(await r.state()).toBe('PENDING');
  });

  it('links a child to its parent from the tuple', async () => {
    const { store, result } = await setup();
    await store(meta('x', 'SUCCESS', 1, { children: [[['child', [['x', null], null]], null]] }));
    const [child] = await result('x').children();
    expect(child?.parent?.id).toBe('x');
  });

  it('fails with Q_ERR_BACKEND_DISABLED when the app has no backend', async () => {
    const app = createApp({ broker: 'memory://disabled', backend: null });
    apps.push(app);
    expect(await app.getBackend()).toBeNull();
    const err = await app.asyncResult('x').get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('Q_ERR_BACKEND_DISABLED');
  });
});

describe('AsyncResult.get with push: subscribing and reading together', () => {
  /** A push backend whose subscription takes `subscribeMs` to set up; logs reads and live subscriptions. */
  function slowPushBackend(subscribeMs: number) {
    const stored = new Map<string, TaskMeta>();
    const listeners = new Map<string, (m: TaskMeta) => void>();
    const stats = { reads: 0, live: 0, events: [] as string[] };
    const backend: ResultBackend = {
      capabilities: { push: true, chords: 'none', groups: false, autoExpire: false },
      describe: () => 'slow push',
      connect: async () => {},
      close: async () => {},
      storeResult: async (m) => {
        stored.set(m.taskId, m);
        listeners.get(m.taskId)?.(m);
      },
      getTaskMeta: async (id) => {
        stats.reads++;
        stats.events.push('read');
        return stored.get(id) ?? null;
      },
      forget: async (id) => {
        stored.delete(id);
      },
      watch: async (id, onMeta) => {
        await new Promise((r) => setTimeout(r, subscribeMs));
        listeners.set(id, onMeta);
        stats.live++;
        stats.events.push('subscribed');
        return async () => {
          listeners.delete(id);
          stats.live--;
          stats.events.push('unsubscribed');
        };
      },
    };
    return { backend, stats, result: <T>(id: string) => new AsyncResult<T>(id, { conf: resolveConfig({}), getBackend: async () => backend }) };
  }

  it('returns a finished result without waiting for the subscription, and ends the subscription once it is made', async () => {
    const { backend, stats, result } = slowPushBackend(30);
    await backend.storeResult(meta('done', 'SUCCESS', 7), { expiresMs: null });
    const t0 = performance.now();
    await expect(result('done').get({ timeout: 2 })).resolves.toBe(7);
    expect(performance.now() - t0).toBeLessThan(25);
    expect(stats.events).toEqual(['read']);
    await new Promise((r) => setTimeout(r, 60));
    expect(stats.events).toEqual(['read', 'subscribed', 'unsubscribed']);
    expect(stats.live).toBe(0);
  });

  it('returns the result from its message without waiting for a slow second read', async () => {
    const { backend, result } = slowPushBackend(10);
    const read = backend.getTaskMeta.bind(backend);
    let reads = 0;
    backend.getTaskMeta = async (id) => {
      if (++reads === 2) await new Promise((r) => setTimeout(r, 400));
      return read(id);
    };
    setTimeout(() => void backend.storeResult(meta('msg', 'SUCCESS', 'pushed'), { expiresMs: null }), 60);
    const t0 = performance.now();
    await expect(result('msg').get({ timeout: 2 })).resolves.toBe('pushed');
    expect(reads).toBe(2);
    expect(performance.now() - t0).toBeLessThan(300);
  });

  it('does not lose a result stored after the first read but before the subscription is active', async () => {
    const { backend, stats, result } = slowPushBackend(40);
    setTimeout(() => void backend.storeResult(meta('late', 'SUCCESS', 'ok'), { expiresMs: null }), 10);
    await expect(result('late').get({ timeout: 1 })).resolves.toBe('ok');
    expect(stats.reads).toBe(2);
    expect(stats.live).toBe(0);
  });
});

describe('AsyncResult.get with push: the backend ends the wait', () => {
  /**
   * A push backend that keeps each subscription's `onEnd`: `end(error)` ends them all, as a backend does on close.
   * `readMs` delays every read; `subscribe` replaces how a subscription is made.
   */
  function endingBackend(options: { readMs?: number; subscribe?: () => Promise<void> } = {}) {
    const ends = new Set<(error: Error) => void>();
    const stats = { subscribed: 0, unsubscribed: 0 };
    const backend: ResultBackend = {
      capabilities: { push: true, chords: 'none', groups: false, autoExpire: false },
      describe: () => 'ending push',
      connect: async () => {},
      close: async () => {},
      storeResult: async () => {},
      getTaskMeta: async () => {
        if (options.readMs) await new Promise((r) => setTimeout(r, options.readMs));
        return null;
      },
      forget: async () => {},
      watch: async (_id, _onMeta, onEnd) => {
        await options.subscribe?.();
        stats.subscribed++;
        const own = (error: Error): void => onEnd?.(error);
        ends.add(own);
        return async () => {
          if (ends.delete(own)) stats.unsubscribed++;
        };
      },
    };
    const end = (error: Error): void => {
      const live = [...ends];
      ends.clear();
      for (const e of live) e(error);
    };
    return { backend, stats, end, result: <T>(id: string) => new AsyncResult<T>(id, { conf: resolveConfig({}), getBackend: async () => backend }) };
  }

  /** Collects the unhandled rejections reported while `run` runs (and a few turns after). */
  async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
    const seen: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void seen.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await run();
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    return seen;
  }

  it('a watch that rejects while the first read is pending rejects get() with its error, and nothing is unhandled', async () => {
    const closed = new ConnectionError('Q_ERR_CONNECTION_LOST', 'fake backend is closed');
    const { result } = endingBackend({ readMs: 50, subscribe: () => Promise.reject(closed) });
    const unhandled = await unhandledDuring(async () => {
      await expect(result('rejected').get({ timeout: 2 })).rejects.toBe(closed);
    });
    expect(unhandled).toEqual([]);
  });

  it('a subscribed get() rejects promptly with the error the backend ends its subscription with', async () => {
    const { stats, end, result } = endingBackend();
    const pending = result('waiting').get().then(() => null, (err: unknown) => err);
    await new Promise((r) => setTimeout(r, 20));
    expect(stats.subscribed).toBe(1);
    const lost = new ConnectionError('Q_ERR_CONNECTION_LOST', 'fake backend is closed');
    const t0 = performance.now();
    end(lost);
    expect(await pending).toBe(lost);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('a subscription ended while the first read is pending rejects get() once that read returns', async () => {
    const { end, result } = endingBackend({ readMs: 40 });
    const pending = result('early-end').get({ timeout: 2 }).then(() => null, (err: unknown) => err);
    await new Promise((r) => setTimeout(r, 5));
    const lost = new ConnectionError('Q_ERR_CONNECTION_LOST', 'fake backend is closed');
    end(lost);
    const t0 = performance.now();
    expect(await pending).toBe(lost);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('an end after get() returned changes nothing', async () => {
    const { backend, end, result } = endingBackend();
    const done = meta('finished', 'SUCCESS', 3);
    backend.getTaskMeta = async () => done;
    await expect(result('finished').get({ timeout: 1 })).resolves.toBe(3);
    const unhandled = await unhandledDuring(async () => end(new Error('late')));
    expect(unhandled).toEqual([]);
  });

  it('memory backend: app.close() rejects a waiting get() at once with Q_ERR_CONNECTION_LOST', async () => {
    const { app, result } = await setup(true);
    const pending = result('never').get().then(() => null, (err: unknown) => err);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await app.close();
    const error = await pending;
    expect(performance.now() - t0).toBeLessThan(100);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', message: expect.stringMatching(/^memory backend memory:\/\/result-.* is closed$/) });
  });
});

describe('AsyncResult.get when the app closes', () => {
  it('a get() that polls rejects at once with Q_ERR_CONNECTION_LOST, not at its timeout', async () => {
    const inner = keyValueBackend(memoryKeyValueDriver());
    const polling: ResultBackend = {
      capabilities: { ...inner.capabilities, push: false },
      connect: () => inner.connect(),
      close: () => inner.close(),
      storeResult: (m, o) => inner.storeResult(m, o),
      getTaskMeta: (id) => inner.getTaskMeta(id),
      forget: (id) => inner.forget(id),
      describe: () => 'polling',
    };
    const app = createApp({ broker: `memory://result-${randomUUID()}`, backend: polling, result: { pollInterval: 5 } });
    apps.push(app);
    const waiting = app.asyncResult('never-done').get({ timeout: 30 });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await app.close();
    const err = await waiting.catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe('Q_ERR_CONNECTION_LOST');
    expect((err as ConnectionError).message).toContain('closed');
    // The app connects again, and a new get() works as before.
    await inner.storeResult(meta('done', 'SUCCESS', 7), { expiresMs: null });
    await expect(app.asyncResult<number>('done').get({ timeout: 2 })).resolves.toBe(7);
  });
});
