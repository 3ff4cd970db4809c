/**
 * The `consumer` bootstep: consumes the task queues; its stop is the worker's shutdown sequence.
 */
import { QError } from '@q/core';
import { consumedQueueTopology } from '@q/core/adapter';
import type { Bootstep } from '@q/core';
import { TaskConsumer } from '../consumer/task-consumer.js';
import type { WorkerHost } from './worker-host.js';

/**
 * Start: declare and consume the worker's queues.
 *
 * Stop, warm (`graceful: true`): stop consuming, give ETA-held messages back (nack requeue), let the pool
 * finish running tasks — tasks waiting for a slot are requeued — up to `shutdownTimeout`, then go cold.
 * Cold: stop consuming, requeue held messages, abort running tasks (unacked ones are requeued).
 * Either way it resolves once every received message has been settled.
 */
export const consumerStep: Bootstep<WorkerHost> = {
  name: 'consumer',
  requires: ['connection', 'pool', 'timer'],
  async start(worker) {
    const { timer } = worker.parts;
    if (!timer) throw new QError('Q_ERR_WORKER_STATE', 'the consumer needs the timer bootstep');
    const queues = worker.activeQueues?.() ?? worker.options.queues.map((name) => consumedQueueTopology(worker.app.conf, name));
    const rateLimits = worker.rateLimits;
    const consumer = new TaskConsumer(worker, timer, { queues, prefetch: worker.options.prefetch, ...(rateLimits ? { rateLimits } : {}) });
    worker.parts.consumer = consumer;
    await consumer.start();
  },
  async stop(worker, { graceful }) {
    const { consumer, pool } = worker.parts;
    if (!consumer) return;
    await consumer.cancel();
    await consumer.releaseHeld();
    if (pool) {
      if (graceful) await worker.waitForPool();
      else await worker.goCold();
    }
    await consumer.drain();
  },
};
