/**
 * Python Celery 5.2.6 client → q worker, over Redis (db 3; ledger db 4). The q worker is the real CLI run from
 * source with `-b redis://…`: the app module imports no Redis adapter, so the scheme must resolve it. Python
 * sends with `send_task` and waits with `AsyncResult.get()`, which on Redis only wakes up on a PUBLISH.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk } from './support/python-celery.js';
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

  it('runs tasks with positional arguments', async () => {
    expect(expectOk(await client.call('tasks.add', [2, 3])).value).toBe(5);
    expect(expectOk(await client.call('tasks.xsum', [[1, 2, 3, 4.5]])).value).toBe(10.5);
  });

  it('binds keyword arguments to parameters, and passes extra ones to a **kwargs task', async () => {
    expect(expectOk(await client.call('tasks.add', [], { y: 40, x: 2 })).value).toBe(42);
    expect(expectOk(await client.call('tasks.mul', [6], { y: 7 })).value).toBe(42);
    const echo = expectOk(await client.call('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' }));
    expect(echo.value).toEqual({ args: [1, 'two', [3]], kwargs: { a: { b: null }, 'é': 'ü' } });
  });

  it('fails with the exception class and message Python raises from .get()', async () => {
    const failed = await client.call('tasks.fail', ['it broke: ünïcode']);
    expect(failed).toMatchObject({ ok: false, exc_type: 'ValueError', exc_module: 'builtins', message: 'it broke: ünïcode' });
    const id = await client.send('tasks.fail', ['again']);
    await client.get(id);
    const meta = await client.meta(id);
    expect(meta).toMatchObject({ ok: true, state: 'FAILURE', result: { exc_type: 'ValueError' } });
    expect(String((meta as { traceback?: unknown }).traceback)).toMatch(/^Traceback \(most recent call last\):[\s\S]*ValueError: again\n?$/);
  });

  it('holds a task sent with countdown=1 until it is due', async () => {
    const started = performance.now();
    const id = await client.send('tasks.add', [20, 22], {}, { countdown: 1 });
    await delay(400);
    expect(await client.meta(id)).toMatchObject({ state: 'PENDING' });
    expect(expectOk(await client.get(id)).value).toBe(42);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('holds a task sent with an eta until then', async () => {
    const eta = new Date(Date.now() + 1000);
    const id = await client.send('tasks.mul', [6, 7], {}, { eta: eta.toISOString() });
    expect(expectOk(await client.get(id)).value).toBe(42);
    expect(Date.now()).toBeGreaterThanOrEqual(eta.getTime() - 50);
  });

  it('revokes an expired task: Python .get() raises TaskRevokedError', async () => {
    const past = await client.call('tasks.add', [1, 1], {}, { expires: new Date(Date.now() - 5000).toISOString() });
    expect(past).toMatchObject({ ok: false, exc_type: 'TaskRevokedError' });
    // expires before its countdown: revoked when it comes due, not run
    const late = await client.call('tasks.add', [1, 2], {}, { countdown: 1, expires: 0.3 });
    expect(late).toMatchObject({ ok: false, exc_type: 'TaskRevokedError' });
  });

  it('consumes priority 0 before priority 9 (kombu Redis priority lists)', async () => {
    const key = `prio-${randomUUID()}`;
    const blocker = await client.send('tasks.sleep', [1]);
    await delay(200);
    await client.send('tasks.record', [key, 'sentinel'], {}, { priority: 5 });
    await delay(300); // the sentinel may take the one free prefetch slot
    const sent: string[] = [];
    for (const [name, priority] of [['lo1', 9], ['lo2', 9], ['hi1', 0], ['lo3', 9], ['hi2', 0], ['hi3', 0]] as const) {
      sent.push(await client.send('tasks.record', [key, name], {}, { priority }));
    }
    expectOk(await client.get(blocker));
    for (const id of sent) expectOk(await client.get(id));
    const order = (await dbs.ledger.lrange(key, 0, -1)).map((e) => e.replace(/^q:/, '')).filter((e) => e !== 'sentinel');
    expect(order.slice(0, 3).sort()).toEqual(['hi1', 'hi2', 'hi3']);
    expect(order.slice(3).sort()).toEqual(['lo1', 'lo2', 'lo3']);
  });

  it('retries: Python .get() waits through RETRY and gets the final result or the retry reason', async () => {
    expect(expectOk(await client.call('tasks.flaky', [2])).value).toBe(2);
    const exhausted = await client.call('tasks.flaky', [5]);
    expect(exhausted).toMatchObject({ ok: false, exc_type: 'RuntimeError', message: 'transient failure' });
  });

  it('sends link callbacks with the result prepended, and records them as children', async () => {
    const childId = randomUUID();
    const parent = expectOk(await client.call('tasks.add', [2, 3], {}, { link: [{ task: 'tasks.mul', args: [10], options: { task_id: childId } }] }));
    expect(parent.value).toBe(5);
    expect(expectOk(await client.get(childId)).value).toBe(50);
    expect(parent.children).toEqual([childId]);
  });

  it('sends link_error errbacks with the failed task id prepended', async () => {
    const errbackId = randomUUID();
    const failedId = await client.send('tasks.fail', ['boom'], {}, {
      link_error: [{ task: 'tasks.errback', options: { task_id: errbackId } }],
    });
    expect(await client.get(failedId)).toMatchObject({ ok: false, exc_type: 'ValueError', message: 'boom' });
    expect(expectOk(await client.get(errbackId)).value).toEqual({ failed: failedId });
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

  it('kept the worker alive and did not reject any message', () => {
    if (process.env['INTEROP_DEBUG']) process.stderr.write(worker.output());
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/rejected|malformed/i);
  });
});
