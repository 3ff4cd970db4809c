/**
 * Canvas across languages over Redis (broker and results on db 7, ledger db 8): chain, group, chord, the
 * chain→chord upgrade, a failing chord header, link and link_error — built by Python Celery 5.2.6 and run on a
 * q worker, built in q and run on a Python worker — and a chord whose header tasks run on both. One q worker
 * and one Python worker serve every case (see support/canvas-cases.ts for the queues).
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIXED_QUEUE, PY_QUEUE, PY_WORKER_QUEUES, Q_QUEUE, Q_WORKER_QUEUES, mixedChordCases, pythonBuiltCanvasCases, qBuiltCanvasCases } from './support/canvas-cases.js';
import type { CanvasSuite } from './support/canvas-cases.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, startPythonWorker } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';
import { CANVAS_URLS, interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

const ok = await servicesAvailable('redis canvas interop', REDIS);
const py = pythonCelery('redis canvas interop');

describe.skipIf(!ok || !py)('canvas between Python Celery and q (Redis)', () => {
  let dbs: InteropDbs;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;

  beforeAll(async () => {
    dbs = interopDbs(CANVAS_URLS);
    await dbs.flush();
    app = createApp({ name: 'q-canvas-client', broker: CANVAS_URLS.broker, backend: CANVAS_URLS.backend });
    client = new PythonClient(py ?? '', CANVAS_URLS);
    [qWorker, pyWorker] = await Promise.all([
      startQWorker(CANVAS_URLS, ['-Q', Q_WORKER_QUEUES.join(','), '-c', '2', '--prefetch-multiplier', '1', '-n', 'q-canvas@%h']),
      startPythonWorker(py ?? '', CANVAS_URLS, { hostname: 'py-canvas@%h', queues: PY_WORKER_QUEUES }),
    ]);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    if (dbs) {
      await dbs.flush();
      await dbs.close();
    }
  });

  const suite: CanvasSuite = {
    app: () => app,
    client: () => client,
    qWorker: () => qWorker,
    pyWorker: () => pyWorker,
    ledger: () => dbs.ledger,
  };

  describe('built in Python, run on the q worker', () => pythonBuiltCanvasCases(suite));
  describe('built in q, run on the Python worker', () => qBuiltCanvasCases(suite));
  describe('a chord on both workers', () => mixedChordCases(suite));

  it('left nothing in the canvas queues (nor in `celery`, where a message routed by no queue option lands)', async () => {
    for (const queue of [Q_QUEUE, PY_QUEUE, MIXED_QUEUE, 'celery']) expect(await dbs.broker.llen(queue), queue).toBe(0);
    // Python acks lag its results a little
    await expect.poll(() => dbs.broker.hlen('unacked'), { timeout: 5000 }).toBe(0);
  });

  it("left no chord counters behind: whoever completed a chord deleted its .j/.t/.s keys, as Celery's backend does", async () => {
    expect(await dbs.broker.keys('chord-unlock-*')).toEqual([]);
  });
});
