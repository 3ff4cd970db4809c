/**
 * `EagerResult` and `EagerGroupResult` on their own: the `AsyncResult` / `GroupResult` API answered from the
 * outcome they hold, with no backend at all (a host whose `getBackend` fails proves nothing reads one).
 */
import { describe, expect, it } from 'vitest';
import type { TaskMeta } from '../contracts/result-backend.js';
import { RemoteError, TaskRevokedError } from '../errors/q-error.js';
import type { ResultHost } from '../result/result-base.js';
import { EagerGroupResult } from './eager-group-result.js';
import { EagerResult } from './eager-result.js';

const host: ResultHost = {
  conf: { result: { pollInterval: 0.01, expires: null } },
  getBackend: () => Promise.reject(new Error('an eager result must not read a backend')),
};

const ok = <T>(id: string, value: T) => new EagerResult<T>(id, { state: 'SUCCESS', value, traceback: null }, host);
const failed = (id: string, error: unknown) => new EagerResult(id, { state: 'FAILURE', value: error, traceback: 'Traceback …\n' }, host);

describe('EagerResult', () => {
  it('answers state, value, traceback and meta from its outcome', async () => {
    const r = ok('a', { n: 1 });
    expect(await r.state()).toBe('SUCCESS');
    expect(await r.get({ timeout: 0.001 })).toEqual({ n: 1 });
    const meta = await r.meta();
    expect(meta).toMatchObject({ taskId: 'a', status: 'SUCCESS', result: { n: 1 }, traceback: null, children: [] });
    expect(meta.dateDone).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(r.asTuple()).toEqual([['a', null], null]);
    expect(r.toString()).toBe('a');
  });

  it('reports its state document once to onMessage', async () => {
    const seen: TaskMeta[] = [];
    await failed('f', new Error('x')).get({ propagate: false, onMessage: (m) => seen.push(m) });
    expect(seen.map((m) => m.status)).toEqual(['FAILURE']);
    expect(seen[0]?.result).toEqual({ exc_type: 'Exception', exc_message: ['x'], exc_module: 'builtins' });
  });

  it('keeps the error thrown: get() throws it, result() is a RemoteError caused by it', async () => {
    const error = new SyntaxError('bad');
    const r = failed('f', error);
    await expect(r.get()).rejects.toBe(error);
    const remote = (await r.result()) as RemoteError;
    expect(remote).toBeInstanceOf(RemoteError);
    expect(remote.taskId).toBe('f');
    expect(remote.remoteTraceback).toBe('Traceback …\n');
    expect(remote.cause).toBe(error);
  });

  it('forget does nothing; revoke marks it REVOKED here only', async () => {
    const r = ok('a', 1);
    await r.forget();
    expect(await r.get()).toBe(1);
    await r.revoke({ terminate: true });
    expect(r.status).toBe('REVOKED');
    expect(await r.ready()).toBe(true);
    await expect(r.get()).rejects.toBeInstanceOf(TaskRevokedError);
    expect(((await r.get({ propagate: false })) as RemoteError).excType).toBe('TaskRevokedError');
  });

  it('gives its children and walks them with collect()', async () => {
    const child = ok('c', 2);
    const parent = new EagerResult('p', { state: 'SUCCESS', value: 1, traceback: null, children: [child] }, host);
    expect(await parent.children()).toEqual([child]);
    expect((await parent.meta()).children).toEqual([[['c', null], null]]);
    const walked: [string, unknown][] = [];
    for await (const [node, value] of parent.collect()) walked.push([node.id, value]);
    expect(walked).toEqual([['p', 1], ['c', 2]]);
  });

  it('includes its parent in its tuple', () => {
    const first = ok('1', 1);
    expect(new EagerResult('2', { state: 'SUCCESS', value: 2, traceback: null }, host, first).asTuple()).toEqual([['2', [['1', null], null]], null]);
  });
});

describe('EagerGroupResult', () => {
  it('answers ready, successful, failed, completedCount and join from its members', async () => {
    const g = new EagerGroupResult<[number, number]>('g', [ok('a', 1), ok('b', 2)], host);
    expect(await g.ready()).toBe(true);
    expect(await g.waiting()).toBe(false);
    expect(await g.successful()).toBe(true);
    expect(await g.failed()).toBe(false);
    expect(await g.completedCount()).toBe(2);
    expect(await g.join()).toEqual([1, 2]);
    expect(await g.get({ timeout: 0.001 })).toEqual([1, 2]);
    expect(g.asTuple()).toEqual([['g', null], [[['a', null], null], [['b', null], null]]]);
    await g.forget();
  });

  it('throws the first failed member error, or returns RemoteErrors in place without propagate', async () => {
    const first = new Error('first');
    const g = new EagerGroupResult('g', [ok('a', 1), failed('b', first), failed('c', new Error('second'))], host);
    expect(await g.failed()).toBe(true);
    expect(await g.completedCount()).toBe(1);
    await expect(g.join()).rejects.toBe(first);
    await expect(g.maybeThrow()).rejects.toBe(first);
    const settled = await g.join({ propagate: false });
    expect(settled[0]).toBe(1);
    expect((settled[1] as RemoteError).cause).toBe(first);
    expect(settled[2]).toBeInstanceOf(RemoteError);
  });

  it('revoke marks every member REVOKED, nested groups included', async () => {
    const inner = new EagerGroupResult('inner', [ok('b', 2)], host);
    const g = new EagerGroupResult('g', [ok('a', 1), inner], host);
    await g.revoke();
    expect(await g.ready()).toBe(true);
    expect(await g.completedCount()).toBe(0);
    await expect(g.get()).rejects.toBeInstanceOf(TaskRevokedError);
  });
});
