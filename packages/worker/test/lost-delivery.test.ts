/**
 * Deliveries the broker takes back (an AMQP channel that closed before the ack) must not run: the broker
 * delivers them again, and that copy runs. A transport wrapper marks chosen deliveries lost.
 */
import { describe, expect, it } from 'vitest';
import { memoryQueueDriver, virtualTransport } from '@q/core';
import type { Transport } from '@q/core';
import type { Delivery } from '@q/core/adapter';
import { makeApp, namespace, sleep, startWorker, until } from './helpers.js';

/** The memory transport of `ns`, whose deliveries report `lost` once their task id is in `lostIds`. */
function losingTransport(ns: string, lostIds: Set<string>): Transport {
  const inner = virtualTransport(memoryQueueDriver({ namespace: ns }));
  const consume: Transport['consume'] = (queue, handler, options) =>
    inner.consume(
      queue,
      (delivery) => {
        const wrapped: Delivery = {
          message: delivery.message,
          info: delivery.info,
          get lost() {
            return lostIds.has(String(delivery.message.headers['id']));
          },
          ack: () => delivery.ack(),
          nack: (o) => delivery.nack(o),
        };
        return handler(wrapped);
      },
      options,
    );
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'consume') return consume;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('worker: lost deliveries', () => {
  it('does not run a held ETA task whose delivery was lost', async () => {
    const ns = namespace();
    const lost = new Set<string>();
    const app = makeApp(ns, { broker: losingTransport(ns, lost) });
    const ran: string[] = [];
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void ran.push(x));
    const worker = await startWorker(app);
    // A countdown long enough that both are still held when a loaded machine gets round to looking (with 0.2 s
    // they could be due, and run, before the worker had counted them as scheduled).
    const gone = await app.sendTask('tasks.mark', ['gone'], {}, { countdown: 1.5 });
    const kept = await app.sendTask('tasks.mark', ['kept'], {}, { countdown: 1.5 });
    await until(() => worker.stats().scheduled, (n) => n === 2);
    lost.add(gone.id);
    expect(await kept.get({ timeout: 10 })).toBeNull();
    await sleep(50);
    expect(ran).toEqual(['kept']);
    expect(worker.stats().scheduled).toBe(0);
  });

  it('does not start a received task whose delivery was lost while it waited for a pool slot', async () => {
    const ns = namespace();
    const lost = new Set<string>();
    const app = makeApp(ns, { broker: losingTransport(ns, lost) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    app.task({ name: 'tasks.block' }, () => gate);
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void ran.push(x));
    const worker = await startWorker(app, { concurrency: 1, prefetchMultiplier: 4 });
    const blocker = await app.sendTask('tasks.block');
    const waiting = await app.sendTask('tasks.mark', ['waiting']);
    const after = await app.sendTask('tasks.mark', ['after']);
    await until(() => worker.stats().reserved, (n) => n >= 2);
    lost.add(waiting.id);
    release();
    await blocker.get({ timeout: 3 });
    await after.get({ timeout: 3 });
    expect(ran).toEqual(['after']);
    expect(await waiting.state()).toBe('PENDING');
  });
});
