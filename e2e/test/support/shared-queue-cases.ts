/**
 * The cases of a q worker and a Python worker consuming one queue, whatever the broker: 200 tasks from both
 * clients run exactly once each (a ledger list counts runs across languages), and the countdown tasks q holds go
 * back to the broker at its warm shutdown for Python to run. Register {@link sharedRunCase} first and
 * {@link handoverCase} last (it stops the q worker).
 */
import type { App } from '@q/core';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { ManagedProcess } from './managed-process.js';
import { expectOk } from './python-celery.js';
import type { PythonClient } from './python-celery.js';

/** The shared queue's name. */
export const SHARED_QUEUE = 'interop.shared';
const PER_CLIENT = 100;

/** What one `tasks.record` run returns. */
export interface Recorded {
  value: number;
  square: number;
  by: string;
}

/** What the cases run against (read when each case runs, after the suite's `beforeAll`). */
export interface SharedQueueSuite {
  app(): App;
  client(): PythonClient;
  qWorker(): ManagedProcess;
  pyWorker(): ManagedProcess;
  ledger(): Redis;
  /** Asserts the broker holds nothing for the queue, ready or unacknowledged (polling: Python's acks trail). */
  leftNothingBehind(): Promise<void>;
}

/** 200 tasks, half from each client, each run once and right by either worker; both workers take a share. */
export function sharedRunCase(s: SharedQueueSuite): void {
  it('runs 200 tasks from both clients exactly once each, right, on both workers', async () => {
    const app = s.app();
    const client = s.client();
    // q sends 0..99, Python sends 100..199, interleaved
    const qSends = Array.from({ length: PER_CLIENT }, (_, n) => app.sendTask<Recorded>('tasks.record', ['shared', n], {}, { queue: SHARED_QUEUE }));
    const pyIds: Promise<string>[] = [];
    for (let n = PER_CLIENT; n < 2 * PER_CLIENT; n++) pyIds.push(client.send('tasks.record', ['shared', n], {}, { queue: SHARED_QUEUE }));
    const qResults = await Promise.all(qSends);
    const ids = await Promise.all(pyIds);

    // q reads every result, including those of Python's tasks (where the backend lets other processes read them)
    const all = [...qResults, ...ids.map((id) => app.asyncResult<Recorded>(id))];
    const values = await Promise.all(all.map((r) => r.get({ timeout: 30 })));
    values.forEach((v, n) => expect(v).toMatchObject({ value: n, square: n * n }));
    // Python reads the results of its own tasks
    for (const [i, id] of ids.entries()) expect(expectOk(await client.get(id, 10)).value).toEqual(values[PER_CLIENT + i]);

    // the ledger: 200 runs, one per value, each by the worker the result names
    const entries = await s.ledger().lrange('shared', 0, -1);
    expect(entries).toHaveLength(2 * PER_CLIENT);
    const runs = new Map(entries.map((entry) => [Number(entry.split(':')[1]), entry.split(':')[0]]));
    expect(runs.size).toBe(2 * PER_CLIENT);
    values.forEach((v, n) => expect(runs.get(n)).toBe(v.by));
    const byQ = values.filter((v) => v.by === 'q').length;
    if (process.env['INTEROP_DEBUG']) process.stderr.write(`shared queue: q ran ${byQ}, Python ran ${2 * PER_CLIENT - byQ}\n`);
    expect(byQ, 'the q worker ran some').toBeGreaterThan(0);
    expect(byQ, 'the Python worker ran some').toBeLessThan(2 * PER_CLIENT);

    await s.leftNothingBehind();
  });
}

/**
 * Countdown tasks held by q are handed back at its warm shutdown; Python runs each once. Stops the q worker.
 * `sender` sends the 12 tasks: q (the default), or Python where q's countdown is the broker's own delay (SQS
 * DelaySeconds: no worker holds q's countdown tasks), while kombu's are held by whichever worker receives them.
 */
export function handoverCase(s: SharedQueueSuite, sender: 'q' | 'python' = 'q'): void {
  const what = sender === 'q' ? 'the countdown tasks it holds' : 'the countdown tasks from Python it holds';
  it(`q hands ${what} back at warm shutdown; the Python worker runs them, once each`, async () => {
    const key = 'handover';
    const qWorker = s.qWorker();
    const send = async (n: number) =>
      sender === 'q'
        ? s.app().sendTask<Recorded>('tasks.record', [key, n], {}, { queue: SHARED_QUEUE, countdown: 1.5 })
        : s.app().asyncResult<Recorded>(await s.client().send('tasks.record', [key, n], {}, { queue: SHARED_QUEUE, countdown: 1.5 }));
    const sent = await Promise.all(Array.from({ length: 12 }, (_, n) => send(n)));
    const receivedByQ = () => sent.filter((r) => qWorker.output().includes(`[${r.id}] received`)).length;
    const deadline = Date.now() + 5000;
    while (receivedByQ() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receivedByQ(), 'the q worker held some of them').toBeGreaterThan(0);
    expect(await qWorker.stop(10_000)).toBe(0);

    const values = await Promise.all(sent.map((r) => r.get({ timeout: 15 })));
    values.forEach((v, n) => expect(v).toMatchObject({ value: n, square: n * n, by: 'python' }));
    const entries = await s.ledger().lrange(key, 0, -1);
    expect(entries.sort()).toEqual(Array.from({ length: 12 }, (_, n) => `python:${n}`).sort());
  });
}

/** Six failing tasks from the Python client: each one's failure reads the same from Python and from q, whichever worker ran it. */
export function sharedFailureCase(s: SharedQueueSuite): void {
  it('a failure on either worker reaches both clients the same way', async () => {
    const client = s.client();
    const ids = await Promise.all(Array.from({ length: 6 }, () => client.send('tasks.fail', ['shared boom'], {}, { queue: SHARED_QUEUE })));
    for (const id of ids) {
      expect(await client.get(id)).toMatchObject({ ok: false, exc_type: 'ValueError', message: 'shared boom' });
      await expect(s.app().asyncResult(id).get({ timeout: 10 })).rejects.toMatchObject({ excType: 'ValueError', excArgs: ['shared boom'] });
    }
  });
}

/** Neither worker exited during the cases before. */
export function workersRunningCase(s: SharedQueueSuite): void {
  it('kept both workers running', () => {
    expect(s.qWorker().child.exitCode).toBeNull();
    expect(s.pyWorker().child.exitCode).toBeNull();
  });
}
