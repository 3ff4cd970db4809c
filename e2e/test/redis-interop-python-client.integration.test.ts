/**
 * Python Celery 5.2.6 client → q worker, over Redis (db 3; ledger db 4). The q worker is the real CLI run from
 * source with `-b redis://…`: the app module imports no Redis adapter, so the scheme must resolve it. Python
 * sends with `send_task` and waits with `AsyncResult.get()`, which on Redis only wakes up on a PUBLISH.
 */
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk } from './support/python-celery.js';
import { pythonClientCases } from './support/python-client-cases.js';
import { startQWorker } from './support/q-worker.js';
import { INTEROP_URLS, interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

const ok = await servicesAvailable('redis interop', REDIS);
const py = pythonCelery('redis interop');

describe.skipIf(!ok || !py)('a Python client, a q worker (Redis)', () => {
  let dbs: InteropDbs;
  let worker: ManagedProcess;
  let client: PythonClient;

  beforeAll(async () => {
    dbs = interopDbs();
    await dbs.flush();
    client = new PythonClient(py ?? '', INTEROP_URLS);
    // solo pool, one message reserved per slot: the order of the priority test is the broker's order
    worker = await startQWorker(INTEROP_URLS, ['-P', 'solo', '--prefetch-multiplier', '1', '-n', 'q-interop@%h']);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    if (dbs) {
      await dbs.flush();
      await dbs.close();
    }
  });

  it('resolved the Redis adapter from -b redis:// (the app imports none)', () => {
    expect(worker.output()).toMatch(/q-interop@/);
    expect(worker.output()).toMatch(/redis:\/\/127\.0\.0\.1:6379\/3/);
    expect(worker.output()).toMatch(/tasks\.add/);
  });

  it('stores the failure as Celery does: FAILURE, the exception document and a Python-looking traceback', async () => {
    const id = await client.send('tasks.fail', ['again']);
    await client.get(id);
    const meta = await client.meta(id);
    expect(meta).toMatchObject({ ok: true, state: 'FAILURE', result: { exc_type: 'ValueError' } });
    expect(String((meta as { traceback?: unknown }).traceback)).toMatch(/^Traceback \(most recent call last\):[\s\S]*ValueError: again\n?$/);
  });

  it("raises builtins.TypeError in Python for a call whose arguments do not fit the task, as a Python task's call would", async () => {
    const missing = await client.call('tasks.add', [1]);
    expect(missing).toMatchObject({ ok: false, exc_type: 'TypeError', exc_module: 'builtins', message: "tasks.add() missing 1 required positional argument: 'y'" });
    const unknown = await client.call('tasks.add', [1, 2], { z: 3 });
    expect(unknown).toMatchObject({ ok: false, exc_type: 'TypeError', exc_module: 'builtins', message: "tasks.add() got an unexpected keyword argument 'z'" });
  });

  it('wakes Python .get() by PUBLISH: a result stored after get() started arrives at once', async () => {
    // Celery's Redis result consumer reads the key once when it subscribes, then only listens: without a
    // PUBLISH of the stored document, get() would sleep until its timeout.
    const id = await client.send('tasks.sleep', [0.8]);
    const reply = expectOk(await client.get(id, 8));
    expect(reply.value).toBe(0.8);
    expect(reply.elapsed).toBeGreaterThan(0.3); // it was waiting, the result was not there yet
    expect(reply.elapsed).toBeLessThan(3);
  });

  pythonClientCases({
    client: () => client,
    worker: () => worker,
    ledger: () => dbs.ledger,
    firstPriority: 0,
    forbiddenOutput: /rejected|malformed/i,
  });
});
