/**
 * Python Celery 5.2.6's database backend (`db+postgresql://`, SQLAlchemy + psycopg2) and `@q/backend-pg` on the
 * same PostgreSQL (schema `q_test_e2e_pg`), tasks over RabbitMQ (vhost `q-test-e2e-pg`): results q stores are
 * read by Python and the other way round (values, failures with their tracebacks, `result_extended` columns,
 * STARTED), raw rows checked with SQL (q's pickles unpickled by Python's `pickle.loads`), chords through
 * `celery.chord_unlock` with header tasks on both workers, and `celery.backend_cleanup` sent by Python and run by
 * q. Every q side is a child process (the CLI worker, `e2e/apps/q-client.ts`): `pg` cannot load inside vitest.
 * The q worker alone consumes {@link Q_QUEUE}, the Python worker alone {@link PY_QUEUE}.
 */
import { pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PY_QUEUE, Q_QUEUE } from './support/canvas-cases.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PG_RESULT_EXPIRES, PG_SCHEMA, pgInterop, psql, withNotify } from './support/pg-env.js';
import type { PgInterop } from './support/pg-env.js';
import { PythonClient, expectOk, startPythonWorker } from './support/python-celery.js';
import type { SignatureSpec } from './support/python-celery.js';
import { QClient, expectQOk } from './support/q-client.js';
import { startQWorker } from './support/q-worker.js';

const py = pythonCelery('pg interop', ['sqlalchemy', 'psycopg2']);
const env = py ? await pgInterop('pg interop') : null;

const TASKS = `${PG_SCHEMA}.celery_taskmeta`;
const GROUPS = `${PG_SCHEMA}.celery_tasksetmeta`;

/** A `celery_taskmeta` row as text: `result` in hex, `args` / `kwargs` as the UTF-8 text they hold. */
interface TaskRow {
  status: string;
  result: string;
  date_done: string;
  name: string;
  args: string;
  kwargs: string;
  worker: string;
  queue: string;
}

const ROW_COLUMNS: Record<keyof TaskRow, string> = {
  status: 'status',
  result: "encode(result, 'hex')",
  date_done: 'date_done',
  name: 'name',
  args: "convert_from(args, 'UTF8')",
  kwargs: "convert_from(kwargs, 'UTF8')",
  worker: 'worker',
  queue: 'queue',
};

/** The task row `id` read with `psql`, or `undefined` when there is none. */
function taskRow(id: string): TaskRow | undefined {
  const keys = Object.keys(ROW_COLUMNS) as (keyof TaskRow)[];
  const [row] = psql(`SELECT ${keys.map((k) => ROW_COLUMNS[k]).join(', ')} FROM ${TASKS} WHERE task_id = '${id}'`);
  return row && (Object.fromEntries(keys.map((k, i) => [k, row[i] ?? ''])) as unknown as TaskRow);
}

/** How many `celery.chord_unlock` runs a worker logged so far (the task ignores its result: no row tells). */
const unlocks = (worker: ManagedProcess): number => worker.output().match(/celery\.chord_unlock\[[^\]]+\] received/g)?.length ?? 0;

/** A naive UTC timestamp as `psql` prints it, as epoch ms. */
const naiveUtc = (stamp: string | undefined): number => Date.parse(`${(stamp ?? '').replace(' ', 'T')}Z`);

describe.skipIf(!env || !py)('PostgreSQL results between Python Celery and q (db+postgresql://, RabbitMQ broker)', () => {
  const { urls } = env as PgInterop;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let qClient: QClient;
  let qPollingClient: QClient;

  beforeAll(async () => {
    qWorker = await startQWorker(urls, ['-Q', Q_QUEUE, '-c', '2', '-n', 'q-pg@%h']);
    // q created the tables (its migrations) before Python's SQLAlchemy looks for them: no race to CREATE TABLE
    expect(psql(`SELECT to_regclass('${TASKS}') IS NOT NULL, to_regclass('${GROUPS}') IS NOT NULL`)).toEqual([['t', 't']]);
    pyWorker = await startPythonWorker(py ?? '', urls, { hostname: 'py-pg@%h', queues: [PY_QUEUE] });
    client = new PythonClient(py ?? '', urls);
    qClient = new QClient(urls);
    qPollingClient = new QClient(withNotify(urls, 'poll'));
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await env?.close();
  });

  describe('a Python client, the q worker', () => {
    const call = (task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => client.call(task, args, kwargs, { queue: Q_QUEUE }, 15);

    it("Python's AsyncResult.get() reads what q stored", async () => {
      expect(expectOk(await call('tasks.add', [2, 3])).value).toBe(5);
      expect(expectOk(await call('tasks.xsum', [[1, 2, 3, 4.5]])).value).toBe(10.5);
      expect(expectOk(await call('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' })).value).toEqual({
        args: [1, 'two', [3]],
        kwargs: { a: { b: null }, 'é': 'ü' },
      });
    });

    it('a q failure: Python raises ValueError with the message, and reads the traceback', async () => {
      const id = await client.send('tasks.fail', ['it broke: ünïcode'], {}, { queue: Q_QUEUE });
      expect(await client.get(id, 15)).toMatchObject({ ok: false, exc_type: 'ValueError', exc_module: 'builtins', message: 'it broke: ünïcode' });
      const meta = await client.meta(id);
      expect(meta).toMatchObject({ ok: true, state: 'FAILURE', result: { exc_type: 'ValueError', args: ["'it broke: ünïcode'"] } });
      expect(String((meta as Record<string, unknown>)['traceback'])).toMatch(/ValueError: it broke: ünïcode/);
    });

    it('result_extended: Python reads name, args, kwargs, worker and queue of the row q wrote', async () => {
      const id = await client.send('tasks.echo', [7, 'x'], { k: ['v'] }, { queue: Q_QUEUE });
      expectOk(await client.get(id, 15));
      expect(await client.request('extended', { task_id: id })).toMatchObject({
        ok: true,
        state: 'SUCCESS',
        name: 'tasks.echo',
        args: [7, 'x'],
        kwargs: { k: ['v'] },
        worker: expect.stringMatching(/^q-pg@/),
        queue: Q_QUEUE,
        retries: 0,
      });
    });

    it("the raw row q wrote: protocol-5 pickle that Python's pickle.loads reads as the value, naive UTC date_done", async () => {
      const id = await client.send('tasks.echo', ['ü', 2.5, true, null], { nested: { list: [1, [2, { x: -3 }]] } }, { queue: Q_QUEUE });
      expectOk(await client.get(id, 15));
      const row = taskRow(id);
      expect(row).toMatchObject({ status: 'SUCCESS', name: 'tasks.echo', worker: expect.stringMatching(/^q-pg@/), queue: Q_QUEUE });
      expect(row?.result.slice(0, 4)).toBe('8005');
      expect(JSON.parse(row?.args ?? 'null')).toEqual(['ü', 2.5, true, null]);
      expect(Math.abs(naiveUtc(row?.date_done) - Date.now())).toBeLessThan(60_000);
      expect(await client.request('row', { task_id: id })).toMatchObject({
        ok: true,
        found: true,
        status: 'SUCCESS',
        result: { args: ['ü', 2.5, true, null], kwargs: { nested: { list: [1, [2, { x: -3 }]] } } },
        repr: "{'args': ['ü', 2.5, True, None], 'kwargs': {'nested': {'list': [1, [2, {'x': -3}]]}}}",
      });
    });
  });

  // get() by LISTEN/NOTIFY (the default) and by polling: Python's rows must reach both
  describe.each([
    ['LISTEN/NOTIFY', () => qClient],
    ["notify: 'poll'", () => qPollingClient],
  ])('the q client (%s), the Python worker', (_mode, q) => {
    const call = (task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => q().call(task, args, kwargs, PY_QUEUE);
    const value = async (task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => expectQOk(await call(task, args, kwargs))['value'];

    it("q's get() reads what Python stored: ints, floats, nested dicts and lists, unicode, an int beyond 2**64", async () => {
      expect(await value('tasks.add', [2, 3])).toBe(5);
      expect(await value('tasks.add', [0.1, 0.2])).toBe(0.1 + 0.2);
      expect(await value('tasks.xsum', [[1, 2, 3, 4.5]])).toBe(10.5);
      expect(await value('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü', '日本': ['語', -1.5] })).toEqual({
        args: [1, 'two', [3]],
        kwargs: { a: { b: null }, 'é': 'ü', '日本': ['語', -1.5] },
      });
      // 2**40 * 2**40 = 2**80, a Python int: q reads it as a bigint (the client writes bigints as {$bigint})
      expect(await value('tasks.mul', [2 ** 40, 2 ** 40])).toEqual({ $bigint: (2n ** 80n).toString() });
      expect(await value('tasks.mul', [-(2 ** 40), 2 ** 40])).toEqual({ $bigint: (-(2n ** 80n)).toString() });
    });

    it('a Python failure is a RemoteError: ValueError, its message and the Python traceback', async () => {
      const reply = await call('tasks.fail', ['it broke: ünïcode']);
      expect(reply).toMatchObject({ ok: false, exc_type: 'ValueError', exc_module: 'builtins', exc_args: ['it broke: ünïcode'], message: 'ValueError: it broke: ünïcode' });
      expect((reply as { traceback: string }).traceback).toMatch(/Traceback \(most recent call last\):[\s\S]*capapp\.py[\s\S]*ValueError: it broke: ünïcode/);
    });

    it('task_track_started: q sees STARTED while the Python task runs, then SUCCESS', async () => {
      const id = await q().send('tasks.sleep', [2], {}, PY_QUEUE);
      await expect.poll(() => q().state(id), { timeout: 15_000, interval: 50 }).toBe('STARTED');
      expect(await q().get(id)).toMatchObject({ ok: true, value: 2, state: 'SUCCESS' });
    });

    it('the raw row Python wrote (pickle, json args, naive UTC date_done) is what q reads', async () => {
      const id = await q().send('tasks.echo', ['é', 1.25], { deep: [[{ k: null }]] }, PY_QUEUE);
      expect(expectQOk(await q().get(id))['value']).toEqual({ args: ['é', 1.25], kwargs: { deep: [[{ k: null }]] } });
      const row = taskRow(id);
      expect(row).toMatchObject({ status: 'SUCCESS', name: 'tasks.echo', worker: expect.stringMatching(/^py-pg@/), queue: PY_QUEUE });
      expect(row?.result.slice(0, 2)).toBe('80');
      expect(JSON.parse(row?.args ?? 'null')).toEqual(['é', 1.25]);
      expect(JSON.parse(row?.kwargs ?? 'null')).toEqual({ deep: [[{ k: null }]] });
      expect(Math.abs(naiveUtc(row?.date_done) - Date.now())).toBeLessThan(60_000);
    });
  });

  describe('chords through celery.chord_unlock, header tasks on both workers', () => {
    const N = 8;
    const total = N * (N - 1); // sum of add(n, n)
    const half = (n: number) => (n % 2 === 0 ? Q_QUEUE : PY_QUEUE);
    const headerWorkers = (ids: string[]) => ids.map((id) => taskRow(id)?.worker.split('@')[0]);
    const expectedWorkers = Array.from({ length: N }, (_, n) => (half(n) === Q_QUEUE ? 'q-pg' : 'py-pg'));

    /** Runs `chord`, then expects `by` alone to have run a `celery.chord_unlock` meanwhile (per the workers' logs). */
    const unlockedOn = async (by: 'q-pg' | 'py-pg', chord: () => Promise<void>) => {
      const before = { q: unlocks(qWorker), py: unlocks(pyWorker) };
      await chord();
      const ran = { 'q-pg': unlocks(qWorker) - before.q, 'py-pg': unlocks(pyWorker) - before.py };
      expect(ran[by], `${by} ran the unlock`).toBeGreaterThan(0);
      expect(ran[by === 'q-pg' ? 'py-pg' : 'q-pg'], 'the other worker ran no unlock').toBe(0);
    };

    for (const [bodyQueue, unlockedBy] of [
      [Q_QUEUE, 'q-pg'],
      [PY_QUEUE, 'py-pg'],
    ] as const) {
      it(`built by the q client, body on ${bodyQueue}: ${unlockedBy} runs the unlock and the body`, () =>
        unlockedOn(unlockedBy, async () => {
          const header = Array.from({ length: N }, (_, n) => ({ task: 'tasks.add', args: [n, n], queue: half(n) }));
          const sent = await qClient.chord(header, { task: 'tasks.xsum', queue: bodyQueue });
          // a body Python stored is read by polling here: the LISTEN/NOTIFY cases above cover that path
          const reader = bodyQueue === Q_QUEUE ? qClient : qPollingClient;
          expect(expectQOk(await reader.get(sent.taskId, 30))['value']).toBe(total);
          expect(expectOk(await client.get(sent.taskId, 15)).value).toBe(total);
          expect(headerWorkers(sent.headerIds)).toEqual(expectedWorkers);
          expect(taskRow(sent.taskId)?.worker).toMatch(new RegExp(`^${unlockedBy}@`));
        }));
    }

    it('built by the Python client, body on the q worker: Python sends celery.chord_unlock, q runs it', () =>
      unlockedOn('q-pg', async () => {
        const header: SignatureSpec[] = Array.from({ length: N }, (_, n) => ({ task: 'tasks.add', args: [n, n], options: { queue: half(n) } }));
        const sent = await client.canvas({ chord: { header, body: { task: 'tasks.xsum', options: { queue: Q_QUEUE } } } });
        expect(expectOk(await client.get(sent.task_id, 30)).value).toBe(total);
        expect(expectQOk(await qClient.get(sent.task_id))['value']).toBe(total);
        expect(taskRow(sent.task_id)?.worker).toMatch(/^q-pg@/);
      }));

    it('a failing header task: the body fails with ChordError on both sides', async () => {
      const header = [{ task: 'tasks.add', args: [1, 1], queue: PY_QUEUE }, { task: 'tasks.fail', args: ['boom'], queue: Q_QUEUE }];
      const sent = await qClient.chord(header, { task: 'tasks.xsum', queue: Q_QUEUE });
      const failId = sent.headerIds[1] ?? '';
      expect(await qClient.get(sent.taskId)).toMatchObject({ ok: false, exc_type: 'ChordError' });
      expect(await client.get(sent.taskId, 15)).toMatchObject({ ok: false, exc_type: 'ChordError', message: `Dependency ${failId} raised ValueError('boom')` });
    });
  });

  it('celery.backend_cleanup sent by Python, run by the q worker, deletes the expired rows and keeps the rest', async () => {
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await client.send('tasks.add', [n, n], {}, { queue: Q_QUEUE }));
    for (const id of ids) expectOk(await client.get(id, 15));
    const [old1, old2, fresh] = ids as [string, string, string];
    // age two rows (and a saved group) past result_expires, as if they were stored two expiry periods ago
    const aged = `(now() AT TIME ZONE 'utc') - interval '${2 * PG_RESULT_EXPIRES} seconds'`;
    psql(`UPDATE ${TASKS} SET date_done = ${aged} WHERE task_id IN ('${old1}', '${old2}')`);
    psql(`INSERT INTO ${GROUPS} (id, taskset_id, result, date_done) VALUES (987654, 'old-group', '\\x80054e2e'::bytea, ${aged})`);
    const cleanup = await client.send('celery.backend_cleanup', [], {}, { queue: Q_QUEUE });
    expect(expectOk(await client.get(cleanup, 15)).state).toBe('SUCCESS');
    expect(taskRow(old1)).toBeUndefined();
    expect(taskRow(old2)).toBeUndefined();
    expect(taskRow(fresh)).toMatchObject({ status: 'SUCCESS' });
    expect(psql(`SELECT count(*) FROM ${GROUPS} WHERE taskset_id = 'old-group'`)).toEqual([['0']]);
    expect(qWorker.output()).toMatch(/celery\.backend_cleanup/);
  });

  it('kept both workers running, with nothing they could not decode', () => {
    expect(qWorker.child.exitCode).toBeNull();
    expect(pyWorker.child.exitCode).toBeNull();
    expect(qWorker.output()).not.toMatch(/rejected|malformed|Q_ERR_(DE)?SERIALIZE|PICKLE_UNSAFE/i);
    expect(pyWorker.output()).not.toMatch(/unknown message|Can't decode message body|Unrecoverable error|UnpicklingError|KeyError|TypeError|AttributeError/i);
  });
});
