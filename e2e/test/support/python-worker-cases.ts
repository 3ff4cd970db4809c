/**
 * The cases every "q client → Python worker" suite runs, whatever the broker and result backend: arguments,
 * failures read as `RemoteError`, countdown, eta, expires, priorities, retries, q-built link and link_error.
 * A suite calls {@link pythonWorkerCases} inside its `describe`, after its own cases.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { RemoteError } from '@q/core';
import type { App, AsyncResult } from '@q/core';
import type { WireSignature } from '@q/core/internal';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { expectHighFirst, priorityBatch } from './priority-order.js';
import type { ManagedProcess } from './managed-process.js';

/** What the cases run against (read when each case runs, after the suite's `beforeAll`). */
export interface PythonWorkerSuite {
  app(): App;
  worker(): ManagedProcess;
  /** The Redis ledger tasks record into. */
  ledger(): Redis;
  /**
   * The priority Python serves first: 0 on Redis (kombu's lists), 9 on RabbitMQ (`x-max-priority`); `null` where the broker has
   * no priorities (SQS: kombu carries the property and ignores it), and the priority case is not registered.
   */
  firstPriority: 0 | 9 | null;
  /** Checked once the prioritized tasks are queued, before the blocker ends (e.g. which lists hold them). */
  whilePrioritiesWait?: () => Promise<void>;
  /** Options every callback and errback signature carries (`reply_to` under `rpc://`). */
  signatureOptions?: () => Record<string, unknown>;
  /** The backend records children (not `rpc://`, whose documents travel once to the caller). */
  readsChildren: boolean;
  /** Output a healthy Python worker never prints. */
  forbiddenOutput: RegExp;
}

/** A wire signature for a task that exists only in Python. */
export function wire(task: string, args: unknown[], options: Record<string, unknown> = {}): WireSignature {
  return { task, args, kwargs: {}, options, subtask_type: null, immutable: false };
}

/** The `RemoteError` a promise rejects with (fails the test otherwise). */
export async function remoteError(promise: Promise<unknown>): Promise<RemoteError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

/** Registers the shared cases (call inside a `describe`). */
export function pythonWorkerCases(s: PythonWorkerSuite): void {
  const run = async (name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options = {}) =>
    (await s.app().sendTask(name, args, kwargs, options)).get({ timeout: 10 });

  it('runs tasks with positional and keyword arguments; q reads the results', async () => {
    expect(await run('tasks.add', [2, 3])).toBe(5);
    expect(await run('tasks.add', [], { y: 40, x: 2 })).toBe(42);
    expect(await run('tasks.xsum', [[1, 2, 3, 4.5]])).toBe(10.5);
    expect(await run('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' })).toEqual({
      args: [1, 'two', [3]],
      kwargs: { a: { b: null }, 'é': 'ü' },
    });
  });

  it('reads a Python failure as a RemoteError: ValueError, its message, the Python traceback', async () => {
    const result = await s.app().sendTask('tasks.fail', ['it broke: ünïcode']);
    const err = await remoteError(result.get({ timeout: 10 }));
    expect(err.excType).toBe('ValueError');
    expect(err.excModule).toBe('builtins');
    expect(err.excArgs).toEqual(['it broke: ünïcode']);
    expect(err.message).toBe('ValueError: it broke: ünïcode');
    expect(err.taskId).toBe(result.id);
    expect(err.remoteTraceback).toMatch(/Traceback \(most recent call last\):[\s\S]*capapp\.py[\s\S]*ValueError: it broke: ünïcode/);
    expect(await result.state()).toBe('FAILURE');
  });

  it('holds a task sent with countdown=1 until it is due', async () => {
    const started = performance.now();
    const result = await s.app().sendTask('tasks.add', [20, 22], {}, { countdown: 1 });
    await delay(400);
    expect(await result.state()).toBe('PENDING');
    expect(await result.get({ timeout: 10 })).toBe(42);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('holds a task sent with an eta until then', async () => {
    const eta = new Date(Date.now() + 1000);
    expect(await run('tasks.mul', [6, 7], {}, { eta })).toBe(42);
    expect(Date.now()).toBeGreaterThanOrEqual(eta.getTime() - 50);
  });

  it('has an expired task revoked by Python: REVOKED, TaskRevokedError', async () => {
    const past = await s.app().sendTask('tasks.add', [1, 1], {}, { expires: new Date(Date.now() - 5000) });
    expect((await remoteError(past.get({ timeout: 10 }))).excType).toBe('TaskRevokedError');
    expect(await past.state()).toBe('REVOKED');
    const late = await s.app().sendTask('tasks.add', [1, 2], {}, { countdown: 1, expires: 0.3 });
    expect((await remoteError(late.get({ timeout: 10 }))).excType).toBe('TaskRevokedError');
  });

  const first = s.firstPriority;
  if (first !== null) it(`publishes priorities Python serves ${first} first`, async () => {
    const app = s.app();
    const key = `prio-${randomUUID()}`;
    const [hi, lo] = [first, 9 - first];
    const blocker = await app.sendTask('tasks.sleep', [1]);
    await delay(300);
    await app.sendTask('tasks.record', [key, 'sentinel'], {}, { priority: 5 });
    await delay(300); // the sentinel may take the one free prefetch slot
    const sent: AsyncResult[] = [];
    for (const [name, priority] of priorityBatch(hi, lo)) {
      sent.push(await app.sendTask('tasks.record', [key, name], {}, { priority }));
    }
    await s.whilePrioritiesWait?.();
    // Generous: this checks the order, not the speed (a loaded CI machine once took over 10 s here with prefork).
    await blocker.get({ timeout: 30 });
    for (const r of sent) await r.get({ timeout: 30 });
    await expectHighFirst(s.ledger(), key, 'python');
  });

  it('follows a Python task through its retries', async () => {
    expect(await run('tasks.flaky', [2])).toBe(2);
    const err = await remoteError(run('tasks.flaky', [5]));
    expect(err.excType).toBe('RuntimeError');
    expect(err.excArgs).toEqual(['transient failure']);
  });

  it('has Python send a q-built link callback and link_error errback (with the failed task id)', async () => {
    const app = s.app();
    const extra = s.signatureOptions?.() ?? {};
    const childId = randomUUID();
    const parent = await app.sendTask('tasks.add', [2, 3], {}, { link: wire('tasks.mul', [10], { task_id: childId, ...extra }) });
    expect(await parent.get({ timeout: 10 })).toBe(5);
    expect(await app.asyncResult(childId).get({ timeout: 10 })).toBe(50);
    if (s.readsChildren) expect((await parent.children()).map((c) => c.id)).toEqual([childId]);
    const errbackId = randomUUID();
    const failed = await app.sendTask('tasks.fail', ['boom'], {}, { linkError: wire('tasks.errback', [], { task_id: errbackId, ...extra }) });
    expect((await remoteError(failed.get({ timeout: 10 }))).excArgs).toEqual(['boom']);
    expect(await app.asyncResult(errbackId).get({ timeout: 10 })).toEqual({ failed: failed.id });
  });

  it('kept the Python worker alive, with no message it could not decode', () => {
    expect(s.worker().child.exitCode).toBeNull();
    expect(s.worker().output()).not.toMatch(s.forbiddenOutput);
  });
}
