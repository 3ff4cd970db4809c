import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import type { ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { QError, RemoteError, TimeoutError } from '../errors/q-error.js';
import { setAppModuleLoading } from '../config/app-module-loading.js';
import { AsyncResult } from './async-result.js';
import type { ResultBase, ResultHost } from './result-base.js';
import { ResultSet } from './result-set.js';
import { isReady } from './states.js';

type Mode = 'push' | 'poll with getMany' | 'poll without getMany';

function meta(taskId: string, status: string, result: unknown = null): TaskMeta {
  return { taskId, status, result, traceback: null, children: [], dateDone: isReady(status) ? '2026-11-22T02:39:41.344238' : null };
}
const boom = (msg: string) => ({ exc_type: 'ValueError', exc_message: [msg], exc_module: 'builtins' });

/** A memory backend seen through `mode`, counting its reads and subscriptions. */
function setup(mode: Mode = 'push') {
  const inner = keyValueBackend(memoryKeyValueDriver({ namespace: `result-set-${randomUUID()}` }));
  const calls = { getTaskMeta: 0, getMany: 0, watch: 0, unwatch: 0 };
  const backend: ResultBackend = {
    capabilities: { ...inner.capabilities, push: mode === 'push' },
    connect: async () => {},
    close: async () => {},
    storeResult: (m, o) => inner.storeResult(m, o),
    getTaskMeta: (id) => {
      calls.getTaskMeta++;
      return inner.getTaskMeta(id);
    },
    forget: (id) => inner.forget(id),
    describe: () => mode,
  };
  if (mode !== 'poll without getMany') {
    backend.getMany = (ids) => {
      calls.getMany++;
      return inner.getMany(ids);
    };
  }
  if (mode === 'push') {
    backend.watch = async (id, onMeta, onEnd) => {
      calls.watch++;
      const end = await inner.watch!(id, onMeta, onEnd);
      return async () => {
        calls.unwatch++;
        await end();
      };
    };
  }
  const host: ResultHost = { conf: { result: { pollInterval: 0.01, expires: null } }, getBackend: async () => backend };
  const store = (m: TaskMeta) => inner.storeResult(m, { expiresMs: null });
  const later = (ms: number, m: TaskMeta) => setTimeout(() => void store(m), ms);
  const set = <T extends unknown[]>(...ids: string[]) => new ResultSet<T>(ids.map((id) => new AsyncResult(id, host)) as never, host);
  return { inner, backend, calls, host, store, later, set };
}

const MODES: Mode[] = ['push', 'poll with getMany', 'poll without getMany'];

describe.each(MODES)('ResultSet.join (%s)', (mode) => {
  it('returns the values in member order, whatever order the members finish in', async () => {
    const { later, set } = setup(mode);
    later(30, meta('a', 'SUCCESS', 1));
    later(20, meta('b', 'SUCCESS', 'two'));
    later(5, meta('c', 'SUCCESS', [3]));
    await expect(set<[number, string, number[]]>('a', 'b', 'c').join({ timeout: 2 })).resolves.toEqual([1, 'two', [3]]);
  });

  it('throws the failure of the lowest-index failed member, without waiting for a member still running', async () => {
    const { store, set } = setup(mode);
    await store(meta('f2', 'FAILURE', boom('second')));
    await store(meta('f3', 'FAILURE', boom('third')));
    const t0 = Date.now();
    const err = await set('running', 'f2', 'f3').join({ timeout: 5 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ excType: 'ValueError', excArgs: ['second'], taskId: 'f2' });
  });

  it('throws a failure that arrives while waiting', async () => {
    const { later, set } = setup(mode);
    later(20, meta('late-fail', 'FAILURE', boom('late')));
    await expect(set('other', 'late-fail').join({ timeout: 5 })).rejects.toMatchObject({ taskId: 'late-fail', excArgs: ['late'] });
  });

  it('with propagate: false puts each failure in its place as a RemoteError', async () => {
    const { store, later, set } = setup(mode);
    await store(meta('ok', 'SUCCESS', 1));
    await store(meta('bad', 'FAILURE', boom('bad')));
    later(10, meta('gone', 'REVOKED', null));
    const values = await set('ok', 'bad', 'gone').join({ timeout: 2, propagate: false });
    expect(values[0]).toBe(1);
    expect(values[1]).toBeInstanceOf(RemoteError);
    expect(values[1]).toMatchObject({ excType: 'ValueError', taskId: 'bad' });
    expect(values[2]).toMatchObject({ excType: 'TaskRevokedError', taskId: 'gone' });
  });

  it('spends one timeout on the whole join and names how many members were ready', async () => {
    const { store, set } = setup(mode);
    await store(meta('done', 'SUCCESS', 1));
    const t0 = Date.now();
    const err = await set('done', 'p1', 'p2', 'p3', 'p4').join({ timeout: 0.15 }).catch((e: unknown) => e);
    // Four pending members: a per-member timeout would take 0.6 s or more.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(Date.now() - t0).toBeLessThan(450);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'Q_ERR_TIMEOUT', message: 'timed out waiting for a result set of 5 results: 1 of 5 results ready' });
  });

  it('calls onMessage once per state change of every member', async () => {
    const { store, later, set } = setup(mode);
    await store(meta('x', 'STARTED', { pid: 1 }));
    later(20, meta('x', 'STARTED', { pid: 1 })); // the same state again: not a change
    later(60, meta('y', 'STARTED', { pid: 2 }));
    later(100, meta('x', 'SUCCESS', 'X'));
    later(140, meta('y', 'SUCCESS', 'Y'));
    const seen: string[] = [];
    const values = await set('x', 'y').join({ timeout: 2, onMessage: (m) => seen.push(`${m.taskId}:${m.status}`) });
    expect(values).toEqual(['X', 'Y']);
    expect(seen).toEqual(['x:STARTED', 'y:STARTED', 'x:SUCCESS', 'y:SUCCESS']);
  });

  it('rejects with the signal reason when the signal aborts', async () => {
    const { set } = setup(mode);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 20);
    await expect(set('never').join({ timeout: 5, signal: controller.signal })).rejects.toThrow('stop now');
  });

  it('get() is join()', async () => {
    const { store, set } = setup(mode);
    await store(meta('g1', 'SUCCESS', 7));
    await expect(set<[number]>('g1').get({ timeout: 1 })).resolves.toEqual([7]);
  });
});

describe('ResultSet.join with thousands of members', () => {
  it('reads finished members in one getMany round trip', async () => {
    const { store, calls, set } = setup('poll with getMany');
    const ids = Array.from({ length: 3000 }, (_, i) => `done-${i}`);
    await Promise.all(ids.map((id, i) => store(meta(id, 'SUCCESS', i))));
    const values = await set(...ids).join({ timeout: 5 });
    expect(values).toEqual(ids.map((_, i) => i));
    expect(calls).toMatchObject({ getMany: 1, getTaskMeta: 0 });
  });

  it('polls only the unfinished members, one getMany per poll', async () => {
    const { store, later, calls, backend, set } = setup('poll with getMany');
    const ids = Array.from({ length: 1000 }, (_, i) => `m-${i}`);
    await Promise.all(ids.slice(0, 999).map((id) => store(meta(id, 'SUCCESS', 1))));
    const asked: number[] = [];
    const getMany = backend.getMany!;
    backend.getMany = (wanted) => {
      asked.push(wanted.length);
      return getMany(wanted);
    };
    later(40, meta('m-999', 'SUCCESS', 1));
    await set(...ids).join({ timeout: 5, interval: 0.01 });
    expect(asked[0]).toBe(1000);
    expect(asked.slice(1).every((n) => n === 1)).toBe(true);
    expect(calls.getTaskMeta).toBe(0);
  });

  it('with push, subscribes to the unfinished members only, reads twice in all, and ends every subscription', async () => {
    const { store, later, calls, set } = setup('push');
    const ids = Array.from({ length: 2000 }, (_, i) => `w-${i}`);
    await Promise.all(ids.slice(0, 1500).map((id) => store(meta(id, 'SUCCESS', 0))));
    ids.slice(1500).forEach((id) => later(20, meta(id, 'SUCCESS', 1)));
    const values = await set(...ids).join({ timeout: 5 });
    expect(values.filter((v) => v === 1)).toHaveLength(500);
    expect(calls).toMatchObject({ getMany: 2, getTaskMeta: 0, watch: 500 });
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.unwatch).toBe(500);
  });
});

describe('ResultSet states', () => {
  it('ready, successful, failed, waiting and completedCount read every member in one batch', async () => {
    const { store, calls, set } = setup('poll with getMany');
    await store(meta('s1', 'SUCCESS', 1));
    await store(meta('s2', 'SUCCESS', 2));
    await store(meta('f', 'FAILURE', boom('x')));
    const mixed = set('s1', 's2', 'f', 'running');
    expect(await mixed.ready()).toBe(false);
    expect(await mixed.waiting()).toBe(true);
    expect(await mixed.successful()).toBe(false);
    expect(await mixed.failed()).toBe(true);
    // Celery's completed_count counts successful members only.
    expect(await mixed.completedCount()).toBe(2);
    expect(calls.getMany).toBe(5);
    expect(calls.getTaskMeta).toBe(0);

    const good = set('s1', 's2');
    expect(await good.ready()).toBe(true);
    expect(await good.waiting()).toBe(false);
    expect(await good.successful()).toBe(true);
    expect(await good.failed()).toBe(false);
    expect(await good.completedCount()).toBe(2);
  });

  it('maybeThrow throws the first failed member in order, and nothing while none failed', async () => {
    const { store, set } = setup();
    await store(meta('r', 'REVOKED', null));
    await store(meta('f', 'FAILURE', boom('x')));
    await expect(set('pending', 'f', 'r').maybeThrow()).rejects.toMatchObject({ taskId: 'f' });
    await expect(set('pending', 'r', 'f').maybeThrow()).rejects.toMatchObject({ taskId: 'r', excType: 'TaskRevokedError' });
    await expect(set('pending').maybeThrow()).resolves.toBeUndefined();
  });

  it('add appends a new member once, discard removes by result or id', () => {
    const { host, set } = setup();
    const s = set('a', 'b');
    s.add(new AsyncResult('c', host));
    s.add(new AsyncResult('a', host));
    expect(s.results.map((r: ResultBase) => r.id)).toEqual(['a', 'b', 'c']);
    s.discard('b');
    s.discard(new AsyncResult('c', host));
    s.discard('missing');
    expect(s.results.map((r: ResultBase) => r.id)).toEqual(['a']);
  });

  it('forget removes every member', async () => {
    const { store, inner, set } = setup();
    await store(meta('k1', 'SUCCESS', 1));
    await store(meta('k2', 'SUCCESS', 2));
    await set('k1', 'k2').forget();
    expect(await inner.getMany(['k1', 'k2'])).toEqual([null, null]);
  });

  it('an empty set joins to [] and is ready', async () => {
    const { set } = setup();
    await expect(set().join()).resolves.toEqual([]);
    expect(await set().ready()).toBe(true);
  });

  it('join refuses to wait while a q command imports the app module', async () => {
    const { set } = setup();
    setAppModuleLoading({ module: 'tasks.ts', command: 'worker' });
    try {
      const err = await set('x').join({ timeout: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QError);
      expect(err).toMatchObject({ code: 'Q_ERR_WAIT_DURING_IMPORT', message: expect.stringContaining('join() was called for a result set of 1 results') });
    } finally {
      setAppModuleLoading(null);
    }
  });

  it('fails with Q_ERR_BACKEND_DISABLED without a backend', async () => {
    const host: ResultHost = { conf: { result: { pollInterval: 0.01, expires: null } }, getBackend: async () => null };
    const s = new ResultSet([new AsyncResult('x', host)], host);
    await expect(s.join({ timeout: 1 })).rejects.toMatchObject({ code: 'Q_ERR_BACKEND_DISABLED' });
  });
});
