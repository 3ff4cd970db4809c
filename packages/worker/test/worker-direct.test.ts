/**
 * Celery's `worker_direct` (`worker.direct` / `workerDirect`): each worker also consumes `<node>.dq2`, bound to the
 * direct exchange `C.dq2` with its node name, and `workerDirect(node)` reaches that worker alone.
 */
import { describe, expect, it } from 'vitest';
import { workerDirect } from '@q/core';
import type { TaskContext } from '@q/core';
import { makeApp, namespace, sleep, startWorker } from './helpers.js';

describe('worker direct queues', () => {
  it('a task sent with workerDirect(node) runs on that worker only; without worker.direct none consumes it', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.where', bind: true }, (ctx: TaskContext, tag: string) => void ran.push(`${tag}@${ctx.hostname}`));
    const alpha = await startWorker(app, { hostname: 'alpha@test', workerDirect: true });
    const beta = await startWorker(app, { hostname: 'beta@test', workerDirect: true, closeApp: false });
    const plain = await startWorker(app, { hostname: 'plain@test', closeApp: false });
    expect(alpha.stats().queues).toEqual(['celery', 'alpha@test.dq2']);
    expect(plain.stats().queues).toEqual(['celery']);
    expect(alpha.activeQueues()[1]).toEqual({
      queue: { name: 'alpha@test.dq2', durable: true, exclusive: false, autoDelete: false },
      exchange: { name: 'C.dq2', type: 'direct', durable: true, autoDelete: false },
      binding: { queue: 'alpha@test.dq2', exchange: 'C.dq2', routingKey: 'alpha@test' },
    });
    for (let i = 0; i < 4; i++) await (await app.sendTask('tasks.where', [`b${i}`], {}, workerDirect('beta@test'))).get({ timeout: 5 });
    expect(ran).toEqual(['b0@beta@test', 'b1@beta@test', 'b2@beta@test', 'b3@beta@test']);
    expect(beta.stats().processedByTask['tasks.where']).toBe(4);

    await app.sendTask('tasks.where', ['nobody'], {}, workerDirect('gamma@test'));
    await sleep(150);
    expect(ran).toHaveLength(4);
  });
});
