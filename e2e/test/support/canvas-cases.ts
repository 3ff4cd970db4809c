/**
 * The canvas cases of the interop suites, whatever the broker: chain, group, chord, the chain→chord upgrade, a
 * chord whose header fails, link and link_error, built in Python (Celery's own canvas, `client.py`'s `canvas`
 * op) and run on a q worker, built in q (`chain`/`group`/`chord` of `@q/core`) and run on a Python worker, and
 * a chord whose header tasks run on both. Every signature names its queue: the q worker alone consumes
 * {@link Q_QUEUE}, the Python worker alone {@link PY_QUEUE}, both {@link MIXED_QUEUE}; so a callback, an
 * errback or a chord body sent by a worker reaches the right one only if the worker routes it by the options
 * the signature carries.
 */
import { randomUUID } from 'node:crypto';
import { chain, chord, group } from '@q/core';
import type { App, Signature } from '@q/core';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { ManagedProcess } from './managed-process.js';
import { expectOk } from './python-celery.js';
import type { CanvasSpec, PythonClient, SignatureSpec } from './python-celery.js';
import { remoteError } from './python-worker-cases.js';

/** Consumed by the q worker only. */
export const Q_QUEUE = 'canvas.q';
/** Consumed by the Python worker only. */
export const PY_QUEUE = 'canvas.py';
/** Consumed by both. */
export const MIXED_QUEUE = 'canvas.mixed';

/** `-Q` of the q worker and of the Python worker. */
export const Q_WORKER_QUEUES = [Q_QUEUE, MIXED_QUEUE] as const;
export const PY_WORKER_QUEUES = [PY_QUEUE, MIXED_QUEUE] as const;

/** What the cases run against (read when each case runs, after the suite's `beforeAll`). */
export interface CanvasSuite {
  /** The q client. */
  app(): App;
  client(): PythonClient;
  qWorker(): ManagedProcess;
  pyWorker(): ManagedProcess;
  /** The Redis ledger `tasks.slow_record` appends to. */
  ledger(): Redis;
}

const TIMEOUT = 15;

/** A signature spec for `client.py`. */
function py(task: string, args: unknown[] = [], options: Record<string, unknown> = {}): SignatureSpec {
  return { task, args, options };
}

/** The ids the test reads results by (Celery's `task_id` option, given up front). */
const id = (): string => randomUUID();

/** Celery's canvas, built by the Python client, run by the q worker (every signature routed to {@link Q_QUEUE}). */
export function pythonBuiltCanvasCases(s: CanvasSuite): void {
  const apply = (spec: CanvasSpec) => s.client().canvas(spec, Q_QUEUE);
  const value = async (taskId: string) => expectOk(await s.client().get(taskId, TIMEOUT)).value;

  it('chain: each step gets the previous result; Python .get() of the last step', async () => {
    const sent = await apply({ chain: [py('tasks.add', [2, 2]), py('tasks.mul', [4]), py('tasks.add', [1])] });
    expect(sent.parents).toHaveLength(2);
    expect(await value(sent.task_id)).toBe(17);
    expect(await value(sent.parents[0] ?? '')).toBe(16);
    expect(await value(sent.parents[1] ?? '')).toBe(4);
  });

  it('group: GroupResult.get() gives the values in order', async () => {
    const sent = await apply({ group: [0, 1, 2, 3, 4].map((n) => py('tasks.add', [n, n])) });
    expect(sent.kind).toBe('GroupResult');
    expect(sent.results).toHaveLength(5);
    expect(await value(sent.task_id)).toEqual([0, 2, 4, 6, 8]);
  });

  it('chord: the q worker counts the header parts (Redis .j/.t) and sends the body with their values', async () => {
    const sent = await apply({ chord: { header: [0, 1, 2, 3, 4].map((n) => py('tasks.add', [n, n])), body: py('tasks.xsum') } });
    expect(await value(sent.task_id)).toBe(20);
  });

  it('the chain→chord upgrade: chain(group(...), task) and a step after it', async () => {
    const header = () => ({ group: [1, 2, 3].map((n) => py('tasks.add', [n, n])) });
    const upgraded = await apply({ chain: [header(), py('tasks.xsum')] });
    expect(await value(upgraded.task_id)).toBe(12);
    const longer = await apply({ chain: [header(), py('tasks.xsum'), py('tasks.mul', [10])] });
    expect(await value(longer.task_id)).toBe(120);
  });

  it("a header task fails: the body fails with ChordError (raised by Python's .get()), the body's errback runs", async () => {
    const [failId, bodyId, errbackId] = [id(), id(), id()];
    const sent = await apply({
      chord: {
        header: [py('tasks.add', [1, 1]), py('tasks.fail', ['boom'], { task_id: failId }), py('tasks.add', [2, 2])],
        body: { ...py('tasks.xsum', [], { task_id: bodyId }), link_error: [py('tasks.errback', [], { task_id: errbackId })] },
      },
    });
    expect(sent.task_id).toBe(bodyId);
    expect(await s.client().get(bodyId, TIMEOUT)).toMatchObject({
      ok: false,
      exc_type: 'ChordError',
      exc_module: 'celery.exceptions',
      message: `Dependency ${failId} raised ValueError('boom')`,
    });
    expect(await value(errbackId)).toEqual({ failed: bodyId });
    expect(await s.client().get(failId, TIMEOUT)).toMatchObject({ ok: false, exc_type: 'ValueError', message: 'boom' });
  });

  it('link and link_error: on a signature, and link_error on a chain (the failing step calls it)', async () => {
    const [callbackId, errbackId, chainErrbackId, midId] = [id(), id(), id(), id()];
    const linked = await apply({ ...py('tasks.add', [2, 3]), link: [py('tasks.mul', [10], { task_id: callbackId })] });
    const parent = expectOk(await s.client().get(linked.task_id, TIMEOUT));
    expect(parent.value).toBe(5);
    expect(await value(callbackId)).toBe(50);
    expect(parent.children, 'the callback is recorded as a child, as Celery does').toEqual([callbackId]);

    const failed = await apply({ ...py('tasks.fail', ['boom']), link_error: [py('tasks.errback', [], { task_id: errbackId })] });
    expect(await value(errbackId)).toEqual({ failed: failed.task_id });

    await apply({
      chain: [py('tasks.add', [1, 1]), { ...py('tasks.fail', ['mid'], { task_id: midId }), immutable: true }, py('tasks.add', [1])],
      link_error: [py('tasks.errback', [], { task_id: chainErrbackId })],
    });
    expect(await value(chainErrbackId)).toEqual({ failed: midId });
  });

  it('ran all of it on the q worker, which stayed up', () => {
    expect(s.qWorker().child.exitCode).toBeNull();
    expect(s.qWorker().output()).toMatch(/tasks\.xsum/);
  });
}

/** q's canvas, built by the q client, run by the Python worker (every signature routed to {@link PY_QUEUE}). */
export function qBuiltCanvasCases(s: CanvasSuite): void {
  const sig = (task: string, ...args: unknown[]): Signature => s.app().signature(task, args, {}, { queue: PY_QUEUE });
  const value = (taskId: string) => s.app().asyncResult(taskId).get({ timeout: TIMEOUT });

  it('chain: the Python worker runs each step with the previous result; q reads the last one and its parents', async () => {
    const last = await chain(sig('tasks.add', 2, 2), sig('tasks.mul', 4), sig('tasks.add', 1)).applyAsync();
    expect(await last.get({ timeout: TIMEOUT })).toBe(17);
    expect(await last.parent?.get({ timeout: TIMEOUT })).toBe(16);
    expect(await last.parent?.parent?.get({ timeout: TIMEOUT })).toBe(4);
    // and Python reads it too
    expect(expectOk(await s.client().get(last.id, TIMEOUT)).value).toBe(17);
  });

  it('group: GroupResult.get() gives the values in order', async () => {
    const result = await group([0, 1, 2, 3, 4].map((n) => sig('tasks.add', n, n))).applyAsync();
    expect(result.results).toHaveLength(5);
    expect(await result.get({ timeout: TIMEOUT })).toEqual([0, 2, 4, 6, 8]);
  });

  it('chord: the Python worker counts the header parts and runs the body with their values', async () => {
    const body = await chord([0, 1, 2, 3, 4].map((n) => sig('tasks.add', n, n)), sig('tasks.xsum')).applyAsync();
    expect(await body.get({ timeout: TIMEOUT })).toBe(20);
    expect(expectOk(await s.client().get(body.id, TIMEOUT)).value).toBe(20);
    // chord(group(...), body) too
    const viaGroup = await chord(group([sig('tasks.add', 1, 1), sig('tasks.add', 2, 2)]), sig('tasks.xsum')).applyAsync();
    expect(await viaGroup.get({ timeout: TIMEOUT })).toBe(6);
  });

  it('the chain→chord upgrade: chain(group(...), task) and a step after it', async () => {
    const header = () => group([1, 2, 3].map((n) => sig('tasks.add', n, n)));
    const upgraded = await chain(header(), sig('tasks.xsum')).applyAsync();
    expect(await upgraded.get({ timeout: TIMEOUT })).toBe(12);
    const longer = await chain(header(), sig('tasks.xsum'), sig('tasks.mul', 10)).applyAsync();
    expect(await longer.get({ timeout: TIMEOUT })).toBe(120);
  });

  it("a header task fails: the body fails with ChordError (q's get() and Python's), the body's errback runs", async () => {
    const failing = sig('tasks.fail', 'boom');
    const failId = failing.freeze().id;
    const errback = sig('tasks.errback');
    const errbackId = errback.freeze().id;
    const body = sig('tasks.xsum');
    body.onError(errback);
    const result = await chord([sig('tasks.add', 1, 1), failing, sig('tasks.add', 2, 2)], body).applyAsync();
    // get() follows the body's parent (the header group) as Celery's does: whichever failure it sees first
    expect(['ValueError', 'ChordError']).toContain((await remoteError(result.get({ timeout: TIMEOUT }))).excType);
    const err = await remoteError(result.get({ timeout: TIMEOUT, followParents: false }));
    expect(err.excType).toBe('ChordError');
    expect(err.message).toContain(`Dependency ${failId} raised ValueError('boom')`);
    expect(await s.client().get(result.id, TIMEOUT)).toMatchObject({ ok: false, exc_type: 'ChordError', message: `Dependency ${failId} raised ValueError('boom')` });
    expect(await value(errbackId)).toEqual({ failed: result.id });
  });

  it('link and link_error: on a signature, and link_error on a chain (the failing step calls it)', async () => {
    const callback = sig('tasks.mul', 10);
    const callbackId = callback.freeze().id;
    const linked = sig('tasks.add', 2, 3);
    linked.link(callback);
    expect(await (await linked.applyAsync()).get({ timeout: TIMEOUT })).toBe(5);
    expect(await value(callbackId)).toBe(50);

    const errback = sig('tasks.errback');
    const errbackId = errback.freeze().id;
    const failing = sig('tasks.fail', 'boom');
    failing.onError(errback);
    const failed = await failing.applyAsync();
    expect((await remoteError(failed.get({ timeout: TIMEOUT }))).excArgs).toEqual(['boom']);
    expect(await value(errbackId)).toEqual({ failed: failed.id });

    const chainErrback = sig('tasks.errback');
    const chainErrbackId = chainErrback.freeze().id;
    const mid = s.app().signature('tasks.fail', ['mid'], {}, { queue: PY_QUEUE }).set({ immutable: true });
    const midId = mid.freeze().id;
    const steps = chain(sig('tasks.add', 1, 1), mid, sig('tasks.add', 1));
    steps.onError(chainErrback);
    await steps.applyAsync();
    expect(await value(chainErrbackId)).toEqual({ failed: midId });
  });

  it('ran all of it on the Python worker, which stayed up and decoded every message', () => {
    expect(s.pyWorker().child.exitCode).toBeNull();
    expect(s.pyWorker().output()).toMatch(/tasks\.xsum\[/);
    expect(s.pyWorker().output()).not.toMatch(/unknown message|Can't decode message body|Unrecoverable error|KeyError|TypeError|AttributeError/i);
  });
}

/** Entries of the ledger list `key`: how many runs each worker recorded, and every value recorded once. */
async function expectBothRan(ledger: Redis, key: string, count: number): Promise<void> {
  const entries = await ledger.lrange(key, 0, -1);
  expect(entries).toHaveLength(count);
  expect(new Set(entries.map((e) => e.split(':')[1])).size).toBe(count);
  const byQ = entries.filter((e) => e.startsWith('q:')).length;
  if (process.env['INTEROP_DEBUG']) process.stderr.write(`mixed chord ${key}: q ran ${byQ}, Python ran ${count - byQ}\n`);
  expect(byQ, 'the q worker ran some header tasks').toBeGreaterThan(0);
  expect(byQ, 'the Python worker ran some header tasks').toBeLessThan(count);
}

/** A chord on {@link MIXED_QUEUE}: its 20 header tasks run on both workers, its body gets all 20 values. */
export function mixedChordCases(s: CanvasSuite): void {
  const HEADER = 20;
  const SLEEP = 0.1;
  const total = (HEADER * (HEADER - 1)) / 2;

  it('a chord built in Python: header tasks on both workers, the body sums all of them', async () => {
    const key = `mixed-py-${id()}`;
    const header = Array.from({ length: HEADER }, (_, n) => py('tasks.slow_record', [key, n, SLEEP]));
    const sent = await s.client().canvas({ chord: { header, body: py('tasks.xsum') } }, MIXED_QUEUE);
    expect(expectOk(await s.client().get(sent.task_id, 30)).value).toBe(total);
    expect(await s.app().asyncResult(sent.task_id).get({ timeout: TIMEOUT })).toBe(total);
    await expectBothRan(s.ledger(), key, HEADER);
  });

  it('a chord built in q: header tasks on both workers, the body sums all of them', async () => {
    const key = `mixed-q-${id()}`;
    const header = Array.from({ length: HEADER }, (_, n) => s.app().signature('tasks.slow_record', [key, n, SLEEP], {}, { queue: MIXED_QUEUE }));
    const body = await chord(header, s.app().signature('tasks.xsum', [], {}, { queue: MIXED_QUEUE })).applyAsync();
    expect(await body.get({ timeout: 30 })).toBe(total);
    expect(expectOk(await s.client().get(body.id, TIMEOUT)).value).toBe(total);
    await expectBothRan(s.ledger(), key, HEADER);
  });

  it('kept both workers running', () => {
    expect(s.qWorker().child.exitCode).toBeNull();
    expect(s.pyWorker().child.exitCode).toBeNull();
  });
}
