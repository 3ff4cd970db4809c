/**
 * `worker.requests()` and `worker.queryTask()` on a real worker (memory broker): what runs is active, what waits for a
 * slot or a rate limit is reserved, what waits for its ETA is scheduled, in Celery's shapes.
 */
import { describe, expect, it } from 'vitest';
import { makeApp, namespace, startWorker, until } from './helpers.js';

/** A gate a task waits on. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('worker.requests', () => {
  it('lists the running task as active, the one waiting for a slot as reserved and the ETA one as scheduled', async () => {
    const app = makeApp(namespace());
    const g = gate();
    let started = 0;
    app.task({ name: 'tasks.sleeper', params: ['n'] }, async () => {
      started += 1;
      await g.wait;
    });
    app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const worker = await startWorker(app, { pool: 'solo' });
    expect(worker.requests()).toEqual({ active: [], reserved: [], scheduled: [] });
    const before = Date.now() / 1000;
    const first = await app.sendTask('tasks.sleeper', [20]);
    const second = await app.sendTask('tasks.sleeper', [21]);
    const eta = new Date(Date.now() + 60_000);
    eta.setUTCMilliseconds(353);
    const later = await app.sendTask('tasks.add', [1, 2], {}, { eta });
    await until(() => worker.requests(), (r) => r.active.length === 1 && r.reserved.length === 1 && r.scheduled.length === 1);
    expect(started).toBe(1);
    const { active, reserved, scheduled } = worker.requests();
    expect(active).toEqual([
      {
        id: first.id,
        name: 'tasks.sleeper',
        args: [20],
        kwargs: {},
        type: 'tasks.sleeper',
        hostname: 'w1@test',
        timeStart: expect.any(Number),
        acknowledged: true,
        deliveryInfo: { exchange: '', routingKey: 'celery', priority: 0, redelivered: false },
        workerPid: process.pid,
      },
    ]);
    expect(active[0]?.timeStart).toBeGreaterThanOrEqual(before - 0.001);
    expect(active[0]?.timeStart).toBeLessThanOrEqual(Date.now() / 1000);
    expect(reserved).toEqual([{ ...active[0], id: second.id, args: [21], timeStart: null, acknowledged: false, workerPid: null }]);
    const iso = eta.toISOString();
    expect(scheduled).toEqual([
      {
        eta: `${iso.slice(0, 19)}.353000+00:00`,
        priority: 6,
        request: { ...reserved[0], id: later.id, name: 'tasks.add', type: 'tasks.add', args: [1, 2] },
      },
    ]);
    expect(worker.stats()).toMatchObject({ active: 1, reserved: 1, scheduled: 1 });

    // query_task: active and reserved ids, not the scheduled one (Celery 5.2), unknown ids left out
    expect(worker.queryTask([first.id, second.id, later.id, 'nope'])).toEqual({
      [first.id]: ['active', active[0]],
      [second.id]: ['reserved', reserved[0]],
    });
    expect(worker.queryTask(first.id)).toEqual({ [first.id]: ['active', active[0]] });

    g.open();
    await first.get({ timeout: 3 });
    await second.get({ timeout: 3 });
    const after = worker.requests();
    expect(after.active).toEqual([]);
    expect(after.reserved).toEqual([]);
    expect(after.scheduled.map((s) => s.request.id)).toEqual([later.id]);
  });

  it('an acksLate task is active but not acknowledged; a task waiting for its rate limit is reserved', async () => {
    const app = makeApp(namespace());
    const g = gate();
    app.task({ name: 'tasks.late', acksLate: true }, () => g.wait);
    app.task({ name: 'tasks.limited', rateLimit: '1/m' }, () => null);
    const worker = await startWorker(app);
    const late = await app.sendTask('tasks.late');
    const l1 = await app.sendTask('tasks.limited');
    await l1.get({ timeout: 3 });
    const l2 = await app.sendTask('tasks.limited');
    await until(() => worker.requests(), (r) => r.active.length === 1 && r.reserved.length === 1);
    const { active, reserved } = worker.requests();
    expect(active).toMatchObject([{ id: late.id, acknowledged: false, workerPid: process.pid }]);
    expect(reserved).toMatchObject([{ id: l2.id, name: 'tasks.limited', timeStart: null, acknowledged: false }]);
    expect(worker.queryTask([l2.id])).toEqual({ [l2.id]: ['reserved', reserved[0]] });
    g.open();
    await late.get({ timeout: 3 });
  });
});
