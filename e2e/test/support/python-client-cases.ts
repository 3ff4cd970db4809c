/**
 * The cases every "Python client → q worker" suite runs, whatever the broker: arguments, failures, countdown,
 * expires, priorities, retries, link and link_error. A suite calls {@link pythonClientCases} inside its
 * `describe` and adds what is particular to its broker.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { ManagedProcess } from './managed-process.js';
import { expectOk } from './python-celery.js';
import { expectHighFirst, priorityBatch } from './priority-order.js';
import type { PythonClient } from './python-celery.js';

/** What the cases run against (read when each case runs, after the suite's `beforeAll`). */
export interface PythonClientSuite {
  client(): PythonClient;
  worker(): ManagedProcess;
  /** The Redis ledger tasks record into. */
  ledger(): Redis;
  /**
   * The priority served first: 0 on Redis (kombu's lists), 9 on RabbitMQ (`x-max-priority`); `null` where the broker has
   * no priorities (SQS: kombu carries the property and ignores it), and the priority case is not registered.
   */
  firstPriority: 0 | 9 | null;
  /** Options every callback and errback signature carries (`reply_to` under `rpc://`). */
  signatureOptions?: Record<string, unknown>;
  /** Output a healthy worker never prints. */
  forbiddenOutput: RegExp;
}

/** Registers the shared cases (call inside a `describe`). */
export function pythonClientCases(s: PythonClientSuite): void {
  it('runs tasks with positional arguments, binds keyword arguments to parameters and **kwargs', async () => {
    const client = s.client();
    expect(expectOk(await client.call('tasks.add', [2, 3])).value).toBe(5);
    expect(expectOk(await client.call('tasks.xsum', [[1, 2, 3, 4.5]])).value).toBe(10.5);
    expect(expectOk(await client.call('tasks.add', [], { y: 40, x: 2 })).value).toBe(42);
    expect(expectOk(await client.call('tasks.mul', [6], { y: 7 })).value).toBe(42);
    const echo = expectOk(await client.call('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' }));
    expect(echo.value).toEqual({ args: [1, 'two', [3]], kwargs: { a: { b: null }, 'é': 'ü' } });
  });

  it('fails with the exception class and message Python raises from .get()', async () => {
    const failed = await s.client().call('tasks.fail', ['it broke: ünïcode']);
    expect(failed).toMatchObject({ ok: false, exc_type: 'ValueError', exc_module: 'builtins', message: 'it broke: ünïcode' });
  });

  it('holds a task sent with countdown=1 until it is due', async () => {
    const client = s.client();
    const started = performance.now();
    const id = await client.send('tasks.add', [20, 22], {}, { countdown: 1 });
    await delay(400);
    expect(await client.meta(id)).toMatchObject({ state: 'PENDING' });
    expect(expectOk(await client.get(id)).value).toBe(42);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('holds a task sent with an eta until then', async () => {
    const eta = new Date(Date.now() + 1000);
    const id = await s.client().send('tasks.mul', [6, 7], {}, { eta: eta.toISOString() });
    expect(expectOk(await s.client().get(id)).value).toBe(42);
    expect(Date.now()).toBeGreaterThanOrEqual(eta.getTime() - 50);
  });

  it('revokes an expired task: Python .get() raises TaskRevokedError', async () => {
    const client = s.client();
    const past = await client.call('tasks.add', [1, 1], {}, { expires: new Date(Date.now() - 5000).toISOString() });
    expect(past).toMatchObject({ ok: false, exc_type: 'TaskRevokedError' });
    // expires before its countdown: revoked when it comes due, not run
    const late = await client.call('tasks.add', [1, 2], {}, { countdown: 1, expires: 0.3 });
    expect(late).toMatchObject({ ok: false, exc_type: 'TaskRevokedError' });
  });

  const first = s.firstPriority;
  if (first !== null) it(`serves priority ${first} before priority ${9 - first}`, async () => {
    const client = s.client();
    const key = `prio-${randomUUID()}`;
    const [hi, lo] = [first, 9 - first];
    const blocker = await client.send('tasks.sleep', [1]);
    await delay(200);
    await client.send('tasks.record', [key, 'sentinel'], {}, { priority: 5 });
    await delay(300); // the sentinel may take the one free prefetch slot
    const sent: string[] = [];
    for (const [name, priority] of priorityBatch(hi, lo)) {
      sent.push(await client.send('tasks.record', [key, name], {}, { priority }));
    }
    expectOk(await client.get(blocker));
    for (const id of sent) expectOk(await client.get(id));
    await expectHighFirst(s.ledger(), key, 'q');
  });

  it('retries: Python .get() waits through RETRY and gets the final result or the retry reason', async () => {
    expect(expectOk(await s.client().call('tasks.flaky', [2])).value).toBe(2);
    const exhausted = await s.client().call('tasks.flaky', [5]);
    expect(exhausted).toMatchObject({ ok: false, exc_type: 'RuntimeError', message: 'transient failure' });
  });

  it('sends link callbacks with the result prepended, and records them as children', async () => {
    const childId = randomUUID();
    const link = [{ task: 'tasks.mul', args: [10], options: { task_id: childId, ...s.signatureOptions } }];
    const parent = expectOk(await s.client().call('tasks.add', [2, 3], {}, { link }));
    expect(parent.value).toBe(5);
    expect(expectOk(await s.client().get(childId)).value).toBe(50);
    expect(parent.children).toEqual([childId]);
  });

  it('sends link_error errbacks with the failed task id prepended', async () => {
    const errbackId = randomUUID();
    const failedId = await s.client().send('tasks.fail', ['boom'], {}, {
      link_error: [{ task: 'tasks.errback', options: { task_id: errbackId, ...s.signatureOptions } }],
    });
    expect(await s.client().get(failedId)).toMatchObject({ ok: false, exc_type: 'ValueError', message: 'boom' });
    expect(expectOk(await s.client().get(errbackId)).value).toEqual({ failed: failedId });
  });

  it('kept the worker alive and did not reject any message', () => {
    const worker = s.worker();
    if (process.env['INTEROP_DEBUG']) process.stderr.write(worker.output());
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(s.forbiddenOutput);
  });
}
