import { VECTORS_DIR } from '@q/test-services';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import type { KeyValueDriver, KeyValueSetOptions, ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { RemoteError } from '../errors/q-error.js';
import { AsyncResult, restoreGroupResult, resultFromTuple, resultsFromTuple } from './async-result.js';
import { GroupResult } from './group-result.js';
import type { ResultHost } from './result-base.js';
import { isReady } from './states.js';

const VECTOR = JSON.parse(readFileSync(`${VECTORS_DIR}group-meta.json`, 'utf8')) as {
  redis_key: string;
  ttl: string;
  stored_string: string;
  document: { result: unknown };
};
const GID = 'c791cf40-6f5b-419e-867b-685a33054a1e';
const M1 = 'a54e8931-a550-4908-8288-6bbe93be50b1';
const M2 = '1f305e10-ea38-400b-bf10-cdc6f9536258';

function meta(taskId: string, status: string, result: unknown = null): TaskMeta {
  return { taskId, status, result, traceback: null, children: [], dateDone: isReady(status) ? '2026-11-22T02:39:41.344238' : null };
}

/** A memory backend whose driver records every `set`, with `result.expires` as Celery's default (1 day). */
function setup(expires: number | null = 86400) {
  const driver = memoryKeyValueDriver({ namespace: `group-${randomUUID()}` });
  const sets: { key: string; value: string; options: KeyValueSetOptions }[] = [];
  const recording: KeyValueDriver = {
    ...driver,
    set: (key, value, options) => {
      sets.push({ key, value, options });
      return driver.set(key, value, options);
    },
  };
  const backend = keyValueBackend(recording);
  const host: ResultHost = { conf: { result: { pollInterval: 0.01, expires } }, getBackend: async () => backend };
  const store = (m: TaskMeta) => backend.storeResult(m, { expiresMs: null });
  const group = <T extends unknown[]>(gid: string, ids: string[], parent: AsyncResult | null = null) =>
    new GroupResult<T>(gid, ids.map((id) => new AsyncResult(id, host)) as never, host, parent);
  return { driver, sets, backend, host, store, group };
}

describe('GroupResult tuples', () => {
  it('asTuple is Celery’s [[gid, parent], [member tuples]]', () => {
    const { host, group } = setup();
    expect(group(GID, [M1, M2]).asTuple()).toEqual(VECTOR.document.result);
    const parent = new AsyncResult('p', host, new AsyncResult('root', host));
    expect(group('g', ['a'], parent).asTuple()).toEqual([['g', [['p', [['root', null], null]], null]], [[['a', null], null]]]);
  });

  it('resultFromTuple rebuilds tasks, groups and nested parents', () => {
    const { host } = setup();
    const tuple = [['g', [['p', [['root', null], null]], null]], [[['a', null], null], [['inner', null], [[['b', null], null]]]]];
    const g = resultFromTuple(tuple, host);
    expect(g).toBeInstanceOf(GroupResult);
    expect(g!.asTuple()).toEqual(tuple);
    const group = g as GroupResult;
    expect(group.parent).toBeInstanceOf(AsyncResult);
    expect(group.parent!.id).toBe('p');
    expect(group.parent!.parent!.id).toBe('root');
    expect(group.results.map((r) => [r.kind, r.id])).toEqual([['task', 'a'], ['group', 'inner']]);
    // A task whose parent is a group (a chord body, a chain step after a group).
    const body = resultFromTuple([['body', [['hdr', null], [[['h1', null], null]]]], null], host);
    expect(body).toBeInstanceOf(AsyncResult);
    expect(body!.parent).toBeInstanceOf(GroupResult);
    // A bare id in place of [id, parent] (older Celery), and things that are not tuples.
    expect(resultFromTuple(['old', null], host)?.id).toBe('old');
    expect(resultFromTuple('nope', host)).toBeNull();
    expect(resultFromTuple([[1, null], null], host)).toBeNull();
  });

  it('resultsFromTuple flattens groups to their member tasks', () => {
    const { host } = setup();
    const tuple = [['g', null], [[['a', null], null], [['inner', null], [[['b', null], null]]]]];
    expect(resultsFromTuple(tuple, host).map((r) => r.id)).toEqual(['a', 'b']);
    expect(resultsFromTuple([['t', null], null], host).map((r) => r.id)).toEqual(['t']);
  });
});

describe('GroupResult save and restore', () => {
  it('save stores Celery’s celery-taskset-meta document exactly, kept for result.expires', async () => {
    const { sets, group } = setup(86400);
    await group(GID, [M1, M2]).save();
    expect(sets).toEqual([{ key: VECTOR.redis_key, value: VECTOR.stored_string, options: { ttlMs: Number(VECTOR.ttl) * 1000, publish: true } }]);
  });

  it('save keeps the document forever with result.expires null', async () => {
    const { sets, group } = setup(null);
    await group('g', ['a']).save();
    expect(sets[0]?.options.ttlMs).toBeNull();
  });

  it('restores a group Python saved, and a saved group round-trips', async () => {
    const { driver, host, group } = setup();
    await driver.set(VECTOR.redis_key, VECTOR.stored_string, { ttlMs: null, publish: false });
    const restored = await restoreGroupResult(host, GID);
    expect(restored).toBeInstanceOf(GroupResult);
    expect(restored!.id).toBe(GID);
    expect(restored!.results.map((r) => r.id)).toEqual([M1, M2]);
    expect(restored!.asTuple()).toEqual(VECTOR.document.result);

    const parent = new AsyncResult('before', host);
    await group('round', ['x', 'y'], parent).save();
    const again = await restoreGroupResult(host, 'round');
    expect(again!.asTuple()).toEqual([['round', [['before', null], null]], [[['x', null], null], [['y', null], null]]]);
    expect(again!.parent?.id).toBe('before');
  });

  it('restoreGroupResult gives null for a group never saved', async () => {
    const { host } = setup();
    await expect(restoreGroupResult(host, 'never-saved')).resolves.toBeNull();
  });

  it('delete removes the saved group only; forget removes it and every member', async () => {
    const { host, store, backend, group } = setup();
    await store(meta('d1', 'SUCCESS', 1));
    const g = group('del', ['d1']);
    await g.save();
    await g.delete();
    await expect(restoreGroupResult(host, 'del')).resolves.toBeNull();
    expect(await backend.getTaskMeta('d1')).not.toBeNull();

    await g.save();
    await g.forget();
    await expect(restoreGroupResult(host, 'del')).resolves.toBeNull();
    expect(await backend.getTaskMeta('d1')).toBeNull();
  });

  it('save and restore fail with Q_ERR_BACKEND_UNSUPPORTED on a backend that cannot store groups', async () => {
    const { backend: inner } = setup();
    const backend: ResultBackend = {
      capabilities: { ...inner.capabilities, groups: false },
      connect: async () => {},
      close: async () => {},
      storeResult: (m, o) => inner.storeResult(m, o),
      getTaskMeta: (id) => inner.getTaskMeta(id),
      forget: (id) => inner.forget(id),
      describe: () => 'no-groups://',
    };
    const host: ResultHost = { conf: { result: { pollInterval: 0.01, expires: null } }, getBackend: async () => backend };
    const g = new GroupResult('g', [new AsyncResult('a', host)], host);
    await expect(g.save()).rejects.toMatchObject({ code: 'Q_ERR_BACKEND_UNSUPPORTED', message: expect.stringContaining('no-groups://') });
    await expect(restoreGroupResult(host, 'g')).rejects.toMatchObject({ code: 'Q_ERR_BACKEND_UNSUPPORTED' });
  });
});

describe('GroupResult waits', () => {
  it('get gives the members’ values in order, typed per member', async () => {
    const { store, group } = setup();
    await store(meta('n', 'SUCCESS', 4));
    await store(meta('s', 'SUCCESS', 'four'));
    const g = group<[number, string]>('typed', ['n', 's']);
    const [n, s] = await g.get({ timeout: 1 });
    expect(n + 1).toBe(5);
    expect(s.toUpperCase()).toBe('FOUR');
  });

  it('joins a nested group as one member whose value is its list', async () => {
    const { host, store } = setup();
    await store(meta('a', 'SUCCESS', 1));
    setTimeout(() => void store(meta('b1', 'SUCCESS', 2)), 10);
    setTimeout(() => void store(meta('b2', 'SUCCESS', 3)), 20);
    const inner = new GroupResult<[number, number]>('inner', [new AsyncResult<number>('b1', host), new AsyncResult<number>('b2', host)], host);
    const outer = new GroupResult<[number, [number, number]]>('outer', [new AsyncResult<number>('a', host), inner], host);
    await expect(outer.get({ timeout: 2 })).resolves.toEqual([1, [2, 3]]);
    expect(await outer.ready()).toBe(true);
    expect(await outer.completedCount()).toBe(2);
  });

  it('a failure inside a nested group fails the join with propagate, and is in place without', async () => {
    const { host, store } = setup();
    await store(meta('ok', 'SUCCESS', 1));
    await store(meta('bad', 'FAILURE', { exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' }));
    const inner = () => new GroupResult('inner', [new AsyncResult('bad', host)], host);
    await expect(new GroupResult('o', [new AsyncResult('ok', host), inner()], host).get({ timeout: 1 })).rejects.toMatchObject({ taskId: 'bad' });
    const values = await new GroupResult('o', [new AsyncResult('ok', host), inner()], host).get({ timeout: 1, propagate: false });
    expect(values[0]).toBe(1);
    expect((values[1] as unknown[])[0]).toBeInstanceOf(RemoteError);
  });

  it('names the group in a timeout', async () => {
    const { group } = setup();
    await expect(group('slow', ['p']).join({ timeout: 0.02 })).rejects.toMatchObject({
      code: 'Q_ERR_TIMEOUT',
      message: 'timed out waiting for group slow: 0 of 1 results ready',
    });
  });

  it('children are the members, and toString is the id', async () => {
    const { group } = setup();
    const g = group('kids', ['a', 'b']);
    expect((await g.children()).map((c) => c.id)).toEqual(['a', 'b']);
    expect(`${g}`).toBe('kids');
    expect(g.kind).toBe('group');
  });
});
