/**
 * A warm stop asked from inside the worker — by a task it runs, or by the remote `shutdown` command its pidbox
 * handles — finishes the running task, hands back what waits, and stops.
 */
import { describe, expect, it } from 'vitest';
import type { Worker } from '../src/index.js';
import { makeApp, metaOf, namespace, sleep, startWorker, until } from './helpers.js';

describe('warm stop from inside the worker', () => {
  it('a task that stops its own worker finishes and is stored; stop() resolves', async () => {
    const app = makeApp(namespace());
    const ref: { worker?: Worker } = {};
    let stopping: Promise<void> | undefined;
    app.task({ name: 'tasks.quit' }, async () => {
      stopping = ref.worker?.stop({ graceful: true });
      await sleep(100);
      return 'done';
    });
    const worker = await startWorker(app, { closeApp: false });
    ref.worker = worker;
    const r = await app.sendTask('tasks.quit');
    await until(() => stopping !== undefined, (asked) => asked);
    await stopping;
    expect(worker.state).toBe('stopped');
    expect(await metaOf(app, r.id)).toMatchObject({ status: 'SUCCESS', result: 'done' });
  });

  it('remote shutdown while a task runs: it finishes, the task waiting for a slot goes back to the broker', async () => {
    const app = makeApp(namespace());
    let started = 0;
    app.task({ name: 'tasks.slow' }, async () => {
      started += 1;
      await sleep(300);
      return 'slow';
    });
    const worker = await startWorker(app, { pool: 'solo', mingle: false, closeApp: false });
    const running = await app.sendTask('tasks.slow');
    await app.sendTask('tasks.slow');
    await until(() => worker.requests(), (q) => q.active.length === 1 && q.reserved.length === 1);
    await app.control.broadcast('shutdown', { destination: [worker.hostname] });
    await until(() => worker.state, (s) => s === 'stopped', 5000);
    expect(started).toBe(1);
    expect(await metaOf(app, running.id)).toMatchObject({ status: 'SUCCESS', result: 'slow' });
    const transport = await app.getTransport();
    expect(await transport.queueSize?.('celery')).toBe(1);
  });
});
