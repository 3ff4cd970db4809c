/**
 * End to end with a real `@q/worker`: a client app and a worker app, each with `rpc://`, over the memory broker
 * and over the embedded filesystem broker. Results come back as messages to the client's reply queue only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError, filesystemQueueDriver, silentLogger, virtualTransport } from '@q/core';
import type { App, TaskContext, Transport } from '@q/core';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { qPlugin } from '../src/index.js';
import type { RpcBackend } from '../src/index.js';
import { closeApps, makeApp, memoryTransport, namespace, spyTransport, until } from './support.js';

class ValueError extends Error {}

const workers: Worker[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ graceful: false })));
  await closeApps();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The tasks, registered on both apps (the client needs their options, the worker runs them). */
function register(app: App, gate: Promise<void>): void {
  app.task('tasks.add', (x: number, y: number) => x + y);
  app.task({ name: 'tasks.fail', params: ['message'] }, (message: string) => {
    throw new ValueError(message);
  });
  app.task({ name: 'tasks.slow', trackStarted: true }, async () => {
    await gate;
    return 'slow';
  });
  app.task({ name: 'tasks.flaky', bind: true }, (ctx: TaskContext) => {
    if (ctx.retries < 2) ctx.retry({ countdown: 0.01 });
    return ctx.retries;
  });
  app.task({ name: 'tasks.quiet', ignoreResult: true, trackStarted: true }, () => 'nobody hears');
}

/** A client and a started worker on brokers made by `broker()` (one per app, on the same store). */
async function setup(broker: () => Transport) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const client = makeApp({ broker: broker(), backend: 'rpc://', plugins: [qPlugin] });
  const workerTransport = spyTransport(broker());
  const workerApp = makeApp({ broker: workerTransport, backend: 'rpc://', plugins: [qPlugin] });
  register(client, gate);
  register(workerApp, gate);
  const worker = createWorker(workerApp, { hostname: 'rpc@test', closeApp: false, logger: silentLogger });
  workers.push(worker);
  await worker.start();
  return { client, workerApp, worker, workerTransport, release };
}

async function scenario(broker: () => Transport): Promise<void> {
  const { client, workerApp, worker, workerTransport, release } = await setup(broker);
  const backend = (await client.getBackend()) as RpcBackend;
  /** The states the worker sent to the client's reply queue for `taskId`. */
  const repliesFor = (taskId: string): string[] =>
    workerTransport.events.flatMap((e) => {
      if (e.kind !== 'publish' || e.target.routingKey !== client.oid || e.target.exchange !== '') return [];
      const body = JSON.parse(new TextDecoder().decode(e.message.body)) as { task_id: string; status: string };
      return body.task_id === taskId ? [body.status] : [];
    });

  const add = await client.sendTask('tasks.add', [2, 3]);
  expect(await add.get({ timeout: 5 })).toBe(5);
  expect(repliesFor(add.id)).toEqual(['SUCCESS']);

  const failed = await (await client.sendTask('tasks.fail', ['bad'])).get({ timeout: 5 }).then(() => null, (e: unknown) => e);
  expect(failed).toBeInstanceOf(RemoteError);
  expect(failed).toMatchObject({ excType: 'ValueError', excArgs: ['bad'] });

  const slow = await client.sendTask('tasks.slow');
  await until(() => slow.state(), (s) => s === 'STARTED');
  expect(await slow.result()).toMatchObject({ pid: process.pid, hostname: 'rpc@test' });
  release();
  expect(await slow.get({ timeout: 5 })).toBe('slow');

  const flaky = await client.sendTask('tasks.flaky');
  expect(await flaky.get({ timeout: 5 })).toBe(2);
  // every state is its own message to the client (a retry is published before its RETRY is sent, as in Celery,
  // so the order may vary); the client keeps SUCCESS
  await until(() => repliesFor(flaky.id).length, (n) => n === 3);
  expect(repliesFor(flaky.id).sort()).toEqual(['RETRY', 'RETRY', 'SUCCESS']);
  expect(await backend.getTaskMeta(flaky.id)).toMatchObject({ status: 'SUCCESS', result: 2 });

  // the worker app reads nothing of the client's results: they went to the client's queue
  expect(await (await workerApp.getBackend())?.getTaskMeta(flaky.id)).toBeNull();

  const before = worker.stats().processed;
  const quiet = await client.sendTask('tasks.quiet');
  await until(() => worker.stats().processed, (n) => n === before + 1);
  expect(repliesFor(quiet.id)).toEqual([]);
  expect(await quiet.state()).toBe('PENDING');
}

describe('rpc:// with a real worker', () => {
  it('over the memory broker: results, failures, STARTED, RETRY; an ignored result sends nothing', async () => {
    const ns = namespace();
    await scenario(() => memoryTransport(ns));
  });

  it('over the embedded filesystem broker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'q-rpc-'));
    dirs.push(dir);
    await scenario(() => virtualTransport(filesystemQueueDriver({ dir, pollIntervalMs: 10 }), { pollIntervalMs: 10 }));
  });
});
