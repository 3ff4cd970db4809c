/**
 * A q worker (the real CLI) and a Python Celery 5.2.6 worker consume one RabbitMQ queue together (vhost
 * `q-test-e2e-amqp-shared`), fed by a q client and a Python client: every task runs exactly once, right, and
 * both workers take a share. Results go to Redis db 11 here (rpc:// results are only readable by the client
 * that sent the task, and this suite reads each client's results from the other), beside the ledger.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { listQueues, pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_LEDGER_URL, amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk, startPythonWorker } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';

const py = pythonCelery('amqp interop');
const env = py ? await amqpInterop('amqp interop', 'shared', { backend: AMQP_LEDGER_URL }) : null;

const QUEUE = 'interop.shared';
const LEDGER_KEY = 'shared';
const PER_CLIENT = 100;

interface Recorded {
  value: number;
  square: number;
  by: string;
}

describe.skipIf(!env || !py)('a q worker and a Python worker on one RabbitMQ queue', () => {
  const { urls, ledger, vhost } = env as AmqpInterop;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;

  beforeAll(async () => {
    app = createApp({ name: 'q-amqp-shared', broker: urls.broker, backend: urls.backend });
    client = new PythonClient(py ?? '', urls);
    [qWorker, pyWorker] = await Promise.all([
      startQWorker(urls, ['-Q', QUEUE, '-c', '2', '--prefetch-multiplier', '1', '-n', 'q-shared@%h']),
      startPythonWorker(py ?? '', urls, { hostname: 'py-shared@%h', queues: [QUEUE] }),
    ]);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await env?.close();
  });

  it('runs 200 tasks from both clients exactly once each, right, on both workers', async () => {
    const qSends = Array.from({ length: PER_CLIENT }, (_, n) => app.sendTask<Recorded>('tasks.record', [LEDGER_KEY, n], {}, { queue: QUEUE }));
    const pyIds: Promise<string>[] = [];
    for (let n = PER_CLIENT; n < 2 * PER_CLIENT; n++) pyIds.push(client.send('tasks.record', [LEDGER_KEY, n], {}, { queue: QUEUE }));
    const qResults = await Promise.all(qSends);
    const ids = await Promise.all(pyIds);

    const all = [...qResults, ...ids.map((id) => app.asyncResult<Recorded>(id))];
    const values = await Promise.all(all.map((r) => r.get({ timeout: 30 })));
    values.forEach((v, n) => expect(v).toMatchObject({ value: n, square: n * n }));
    for (const [i, id] of ids.entries()) expect(expectOk(await client.get(id, 10)).value).toEqual(values[PER_CLIENT + i]);

    const entries = await ledger.lrange(LEDGER_KEY, 0, -1);
    expect(entries).toHaveLength(2 * PER_CLIENT);
    const runs = new Map(entries.map((entry) => [Number(entry.split(':')[1]), entry.split(':')[0]]));
    expect(runs.size).toBe(2 * PER_CLIENT);
    values.forEach((v, n) => expect(runs.get(n)).toBe(v.by));
    expect(values.filter((v) => v.by === 'q').length, 'the q worker ran some').toBeGreaterThan(0);
    expect(values.filter((v) => v.by === 'python').length, 'the Python worker ran some').toBeGreaterThan(0);

    // nothing left ready or unacknowledged in the shared queue (Python prefork acks can trail its results by seconds)
    const counts = () => listQueues(vhost, ['name', 'messages_ready', 'messages_unacknowledged']).find((r) => r[0] === QUEUE)?.slice(1);
    await expect.poll(counts, { timeout: 30_000, interval: 500 }).toEqual(['0', '0']);
  });

  it('both sides declared the shared queue identically (no PRECONDITION_FAILED on either)', () => {
    const row = listQueues(vhost, ['name', 'durable', 'auto_delete', 'exclusive', 'arguments']).find((r) => r[0] === QUEUE);
    expect(row?.slice(1)).toEqual(['true', 'false', 'false', '[]']);
    expect(`${qWorker.output()}${pyWorker.output()}`).not.toMatch(/PRECONDITION_FAILED/);
  });

  it('q hands the countdown tasks it holds back at warm shutdown; the Python worker runs them, once each', async () => {
    const key = 'handover';
    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, n) => app.sendTask<Recorded>('tasks.record', [key, n], {}, { queue: QUEUE, countdown: 1.5 })),
    );
    const receivedByQ = () => sent.filter((r) => qWorker.output().includes(`[${r.id}] received`)).length;
    const deadline = Date.now() + 5000;
    while (receivedByQ() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receivedByQ(), 'the q worker held some of them').toBeGreaterThan(0);
    expect(await qWorker.stop(10_000)).toBe(0);

    const values = await Promise.all(sent.map((r) => r.get({ timeout: 15 })));
    values.forEach((v, n) => expect(v).toMatchObject({ value: n, square: n * n, by: 'python' }));
    const entries = await ledger.lrange(key, 0, -1);
    expect(entries.sort()).toEqual(Array.from({ length: 12 }, (_, n) => `python:${n}`).sort());
  });

  it('kept the Python worker running', () => {
    expect(pyWorker.child.exitCode).toBeNull();
  });
});
