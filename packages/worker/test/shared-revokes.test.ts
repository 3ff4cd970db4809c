/**
 * Revokes survive every worker restarting at once, with no state db and no mingle peer: the workers keep them in the
 * result backend they share (the `shared-revokes` bootstep). Each app stands for a process of its own; they share
 * the memory broker and backend of one namespace, as processes share Redis.
 */
import { describe, expect, it } from 'vitest';
import type { App } from '@q/core';
import type { Worker, WorkerOptions } from '../src/index.js';
import { makeApp, metaOf, namespace, startWorker } from './helpers.js';

const REVOKED = { exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' };

/** A "process": an app of its own with the task, and its worker. */
async function process(ns: string, ran: string[], options: WorkerOptions<Worker>): Promise<{ app: App; worker: Worker }> {
  const app = makeApp(ns);
  app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => {
    ran.push(x);
    return x;
  });
  const worker = await startWorker(app, options);
  return { app, worker };
}

/**
 * Two workers run; a task waits in a queue they do not consume (a backlog), and another id is not sent yet. Both are
 * revoked through remote control; every worker stops; the second task is sent with an ETA; a fresh worker, which
 * consumes both queues, starts.
 */
async function revokeThenRestartEverything(shareRevokes: boolean): Promise<{ ran: string[]; app: App; queued: string; later: string }> {
  const ns = namespace();
  const ran: string[] = [];
  const a = await process(ns, ran, { hostname: 'a@test', shareRevokes });
  const b = await process(ns, ran, { hostname: 'b@test', shareRevokes });
  const queued = await a.app.sendTask('tasks.mark', ['queued'], {}, { queue: 'backlog' });
  const later = 'c0ffee00-0000-4000-8000-00000000000a';
  const replies = await a.app.control.revoke([queued.id, later], { reply: true });
  expect(replies.map((r) => Object.keys(r)[0]).sort()).toEqual(['a@test', 'b@test']);
  expect(a.worker.nodeState.isRevoked(later) && b.worker.nodeState.isRevoked(later)).toBe(true);

  // Every worker stops; then the other task is sent, with an ETA.
  await Promise.all([a.worker.stop(), b.worker.stop()]);
  const client = makeApp(ns);
  await client.sendTask('tasks.mark', ['later'], {}, { taskId: later, countdown: 0.2 });

  // A fresh process: new node state, no state db, and no peer to mingle with.
  const fresh = await process(ns, ran, { hostname: 'c@test', shareRevokes, queues: ['celery', 'backlog'] });
  expect(fresh.worker.options.statedb).toBeNull();
  return { ran, app: fresh.app, queued: queued.id, later };
}

describe('shared revokes (the result backend keeps revoked ids for every worker)', () => {
  it('a task revoked before every worker stopped is skipped by a fresh worker: stored REVOKED, never run', async () => {
    const { ran, app, queued, later } = await revokeThenRestartEverything(true);
    expect(await metaOf(app, queued)).toMatchObject({ status: 'REVOKED', result: REVOKED });
    expect(await metaOf(app, later)).toMatchObject({ status: 'REVOKED', result: REVOKED });
    // The fresh worker does run other tasks.
    expect(await (await app.sendTask('tasks.mark', ['other'])).get({ timeout: 3 })).toBe('other');
    expect(ran).toEqual(['other']);
  });

  it('with shareRevokes: false the revokes are lost and the tasks run (as in Celery without a state db)', async () => {
    const { ran, app, queued, later } = await revokeThenRestartEverything(false);
    expect(await metaOf(app, queued)).toMatchObject({ status: 'SUCCESS', result: 'queued' });
    expect(await metaOf(app, later)).toMatchObject({ status: 'SUCCESS', result: 'later' });
    expect(ran.sort()).toEqual(['later', 'queued']);
  });
});
