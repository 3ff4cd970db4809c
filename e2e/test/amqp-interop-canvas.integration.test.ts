/**
 * Canvas across languages over RabbitMQ (vhost `q-test-e2e-amqp-canvas`) with Redis results (db 9, with the
 * ledger): chain, group, chord, the chain→chord upgrade, a failing chord header, link and link_error — built by
 * Python Celery 5.2.6 and run on a q worker, built in q and run on a Python worker — and a chord whose header
 * tasks run on both. Chords are Redis-native here too (the result backend counts the parts), whatever carries
 * the messages. One q worker and one Python worker serve every case (see support/canvas-cases.ts).
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { listQueues, pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import { MIXED_QUEUE, PY_QUEUE, PY_WORKER_QUEUES, Q_QUEUE, Q_WORKER_QUEUES, mixedChordCases, pythonBuiltCanvasCases, qBuiltCanvasCases } from './support/canvas-cases.js';
import type { CanvasSuite } from './support/canvas-cases.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, startPythonWorker } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';
import { AMQP_CANVAS_REDIS_URL } from './support/redis-dbs.js';

const py = pythonCelery('amqp canvas interop');
const env = py ? await amqpInterop('amqp canvas interop', 'canvas', { backend: AMQP_CANVAS_REDIS_URL, ledger: AMQP_CANVAS_REDIS_URL }) : null;

describe.skipIf(!env || !py)('canvas between Python Celery and q (RabbitMQ, Redis results)', () => {
  const { urls, ledger, vhost } = env as AmqpInterop;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;

  beforeAll(async () => {
    app = createApp({ name: 'q-amqp-canvas-client', broker: urls.broker, backend: urls.backend });
    client = new PythonClient(py ?? '', urls);
    [qWorker, pyWorker] = await Promise.all([
      startQWorker(urls, ['-Q', Q_WORKER_QUEUES.join(','), '-c', '2', '--prefetch-multiplier', '1', '-n', 'q-canvas@%h']),
      startPythonWorker(py ?? '', urls, { hostname: 'py-canvas@%h', queues: PY_WORKER_QUEUES }),
    ]);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await env?.close();
  });

  const suite: CanvasSuite = {
    app: () => app,
    client: () => client,
    qWorker: () => qWorker,
    pyWorker: () => pyWorker,
    ledger: () => ledger,
  };

  describe('built in Python, run on the q worker', () => pythonBuiltCanvasCases(suite));
  describe('built in q, run on the Python worker', () => qBuiltCanvasCases(suite));
  describe('a chord on both workers', () => mixedChordCases(suite));

  it('left nothing in the canvas queues (nor in `celery`, where a message routed by no queue option lands)', async () => {
    const rows = () => listQueues(vhost, ['name', 'messages_ready', 'messages_unacknowledged']);
    expect(rows().map((r) => r[0])).toEqual(expect.arrayContaining([Q_QUEUE, PY_QUEUE, MIXED_QUEUE]));
    const waiting = () =>
      rows().filter((r) => [Q_QUEUE, PY_QUEUE, MIXED_QUEUE, 'celery'].includes(r[0] ?? '') && (r[1] !== '0' || r[2] !== '0'));
    // the Python worker's acks trail its results by seconds (its last delivery stays unacknowledged a while)
    await expect.poll(waiting, { timeout: 30_000, interval: 500 }).toEqual([]);
  });

  it("left no chord counters behind: whoever completed a chord deleted its .j/.t/.s keys, as Celery's backend does", async () => {
    expect(await ledger.keys('chord-unlock-*')).toEqual([]);
  });
});
