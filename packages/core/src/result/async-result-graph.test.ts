/**
 * AsyncResult's result graph: `asTuple`, `get({ followParents })`, `get({ onMessage })`, `children` and `collect`,
 * on the memory backend seen through push and through polling. (The rest of AsyncResult: async-result.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import type { ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { RemoteError, TimeoutError } from '../errors/q-error.js';
import { AsyncResult } from './async-result.js';
import { GroupResult } from './group-result.js';
import type { ResultBase, ResultHost } from './result-base.js';
import { isReady } from './states.js';

function meta(taskId: string, status: string, result: unknown = null, children: unknown[] = []): TaskMeta {
  return { taskId, status, result, traceback: null, children, dateDone: isReady(status) ? '2026-11-22T02:39:41.344238' : null };
}
const boom = (msg: string) => ({ exc_type: 'ValueError', exc_message: [msg], exc_module: 'builtins' });
const task = (id: string, parent: unknown = null): unknown => [[id, parent], null];

function setup(push = true, wrap: (b: ResultBackend) => ResultBackend = (b) => b) {
  const inner = keyValueBackend(memoryKeyValueDriver({ namespace: `graph-${randomUUID()}` }));
  const backend = wrap(
    push
      ? inner
      : {
          capabilities: { ...inner.capabilities, push: false },
          connect: async () => {},
          close: async () => {},
          storeResult: (m, o) => inner.storeResult(m, o),
          getTaskMeta: (id) => inner.getTaskMeta(id),
          forget: (id) => inner.forget(id),
          describe: () => 'polling',
        },
  );
  const host: ResultHost = { conf: { result: { pollInterval: 0.01, expires: null } }, getBackend: async () => backend };
  const store = (m: TaskMeta) => inner.storeResult(m, { expiresMs: null });
  const later = (ms: number, m: TaskMeta) => setTimeout(() => void store(m), ms);
  /** A chain a → b → c, as `chain(...).applyAsync()` returns it: the last step, parents linked. */
  const chain = (...ids: string[]) => ids.reduce<AsyncResult | null>((parent, id) => new AsyncResult(id, host, parent), null)!;
  return { inner, host, store, later, chain };
}

describe('AsyncResult.asTuple', () => {
  it('is Celery’s [[id, parentTuple], null], parents nested', () => {
    const { host, chain } = setup();
    expect(new AsyncResult('solo', host).asTuple()).toEqual([['solo', null], null]);
    expect(chain('a', 'b', 'c').asTuple()).toEqual([['c', [['b', [['a', null], null]], null]], null]);
    const afterGroup = new AsyncResult('body', host, new GroupResult('g', [new AsyncResult('h1', host)], host));
    expect(afterGroup.asTuple()).toEqual([['body', [['g', null], [[['h1', null], null]]]], null]);
  });
});

describe.each([
  ['push', true],
  ['polling', false],
])('AsyncResult.get follows parents (%s)', (_label, push) => {
  it('throws a failed parent’s error at once instead of waiting for the timeout', async () => {
    const { store, chain } = setup(push);
    await store(meta('a', 'FAILURE', boom('first step')));
    const t0 = Date.now();
    const err = await chain('a', 'b', 'c').get({ timeout: 5 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ taskId: 'a', excArgs: ['first step'] });
  });

  it('throws when a parent fails while the wait is on', async () => {
    const { later, chain } = setup(push);
    later(30, meta('b', 'REVOKED', null));
    const err = await chain('a', 'b', 'c').get({ timeout: 5, interval: 0.01 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ taskId: 'b', excType: 'TaskRevokedError' });
  });

  it('throws the failed parent nearest the root first', async () => {
    const { store, chain } = setup(push);
    await store(meta('a', 'FAILURE', boom('root')));
    await store(meta('b', 'FAILURE', boom('middle')));
    await expect(chain('a', 'b', 'c').get({ timeout: 1 })).rejects.toMatchObject({ taskId: 'a' });
  });

  it('throws the failed member of a parent group', async () => {
    const { host, store } = setup(push);
    await store(meta('h2', 'FAILURE', boom('header')));
    const header = new GroupResult('g', [new AsyncResult('h1', host), new AsyncResult('h2', host)], host);
    await expect(new AsyncResult('body', host, header).get({ timeout: 1 })).rejects.toMatchObject({ taskId: 'h2' });
  });

  it('does not follow parents with followParents: false or propagate: false', async () => {
    const { store, chain } = setup(push);
    await store(meta('a', 'FAILURE', boom('first step')));
    await expect(chain('a', 'b').get({ timeout: 0.05, followParents: false })).rejects.toBeInstanceOf(TimeoutError);
    await expect(chain('a', 'b').get({ timeout: 0.05, propagate: false })).rejects.toBeInstanceOf(TimeoutError);
    await store(meta('b', 'SUCCESS', 9));
    await expect(chain('a', 'b').get({ timeout: 1, followParents: false })).resolves.toBe(9);
  });

  it('returns the value when every parent succeeded', async () => {
    const { store, later, chain } = setup(push);
    await store(meta('a', 'SUCCESS', 1));
    later(20, meta('b', 'SUCCESS', 2));
    await expect(chain('a', 'b').get({ timeout: 2 })).resolves.toBe(2);
  });
});

describe.each([
  ['push', true],
  ['polling', false],
])('AsyncResult.get onMessage (%s)', (_label, push) => {
  it('sees every state change once, the final one last', async () => {
    const { later, host } = setup(push);
    later(10, meta('m', 'STARTED', { pid: 1 }));
    later(50, meta('m', 'STARTED', { pid: 1 }));
    later(90, meta('m', 'RETRY', boom('again')));
    later(130, meta('m', 'STARTED', { pid: 2 }));
    later(170, meta('m', 'SUCCESS', 42));
    const seen: [string, unknown][] = [];
    const value = await new AsyncResult('m', host).get({ timeout: 3, interval: 0.005, onMessage: (m) => seen.push([m.status, m.result]) });
    expect(value).toBe(42);
    expect(seen).toEqual([
      ['STARTED', { pid: 1 }],
      ['RETRY', boom('again')],
      ['STARTED', { pid: 2 }],
      ['SUCCESS', 42],
    ]);
  });

  it('sees the final state of a task already done', async () => {
    const { store, host } = setup(push);
    await store(meta('done', 'FAILURE', boom('x')));
    const seen: string[] = [];
    await expect(new AsyncResult('done', host).get({ timeout: 1, onMessage: (m) => seen.push(m.status) })).rejects.toBeInstanceOf(RemoteError);
    expect(seen).toEqual(['FAILURE']);
  });

  it('an error thrown by onMessage fails the wait', async () => {
    const { later, host } = setup(push);
    later(10, meta('t', 'STARTED', null));
    const err = await new AsyncResult('t', host)
      .get({
        timeout: 2,
        onMessage: () => {
          throw new Error('listener broke');
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'listener broke' });
  });
});

describe('AsyncResult.collect', () => {
  it('yields the result, then its children breadth first (groups as one node, then their members)', async () => {
    const { store, later, host } = setup();
    await store(meta('A', 'SUCCESS', 'a', [[['G', [['A', null], null]], [task('B1'), task('B2')]]]));
    await store(meta('B1', 'SUCCESS', 1, [task('C1')]));
    later(10, meta('B2', 'SUCCESS', 2, [task('C2')]));
    later(20, meta('C2', 'SUCCESS', 4));
    later(30, meta('C1', 'SUCCESS', 3));
    const seen: [string, string, unknown][] = [];
    for await (const [node, value] of new AsyncResult('A', host).collect({ timeout: 2 })) seen.push([node.kind, node.id, value]);
    expect(seen).toEqual([
      ['task', 'A', 'a'],
      ['group', 'G', [1, 2]],
      ['task', 'B1', 1],
      ['task', 'B2', 2],
      ['task', 'C1', 3],
      ['task', 'C2', 4],
    ]);
  });

  it('throws a failed node’s error (and yields it with propagate: false)', async () => {
    const { store, host } = setup();
    await store(meta('P', 'SUCCESS', 0, [task('bad')]));
    await store(meta('bad', 'FAILURE', boom('child')));
    const walk = async (propagate: boolean) => {
      const out: unknown[] = [];
      for await (const [, value] of new AsyncResult('P', host).collect({ timeout: 1, propagate })) out.push(value);
      return out;
    };
    await expect(walk(true)).rejects.toMatchObject({ taskId: 'bad' });
    const values = await walk(false);
    expect(values[0]).toBe(0);
    expect(values[1]).toBeInstanceOf(RemoteError);
  });

  it('a node gone after its get() ends the walk, unless intermediate', async () => {
    // `vanish` reads SUCCESS once, then is gone (forgotten meanwhile).
    let reads = 0;
    const { store, host } = setup(true, (b) => ({
      ...b,
      getTaskMeta: async (id) => (id === 'vanish' && reads++ > 0 ? null : b.getTaskMeta(id)),
    }));
    await store(meta('root', 'SUCCESS', 0, [task('vanish'), task('stays')]));
    await store(meta('vanish', 'SUCCESS', 1, [task('never-reached')]));
    await store(meta('stays', 'SUCCESS', 2));
    const walk = async (intermediate: boolean) => {
      reads = 0;
      const ids: string[] = [];
      for await (const [node] of new AsyncResult('root', host).collect({ timeout: 1, intermediate })) ids.push(node.id);
      return ids;
    };
    await expect(walk(false)).rejects.toMatchObject({ code: 'Q_ERR_BACKEND_FAILED', message: expect.stringContaining('IncompleteStream') });
    await expect(walk(true)).resolves.toEqual(['root', 'vanish', 'stays']);
  });
});

describe('AsyncResult.children', () => {
  it('gives a GroupResult for a group tuple and links parents from the tuples', async () => {
    const { store, host } = setup();
    await store(meta('x', 'SUCCESS', 1, [task('c', [['x', null], null]), [['g', null], [task('m1'), task('m2')]]]));
    const children: ResultBase[] = await new AsyncResult('x', host).children();
    expect(children.map((c) => c.kind)).toEqual(['task', 'group']);
    expect(children[0]!.parent?.id).toBe('x');
    expect((children[1] as GroupResult).results.map((r) => r.id)).toEqual(['m1', 'm2']);
  });
});
