/**
 * Celery's `worker_direct`: with `worker.direct` on, each worker also consumes a queue of its own,
 * `<nodename>.dq2`, bound to the direct exchange `C.dq2` with its node name as routing key, so a task can be sent to
 * one worker by name (`celery.utils.nodenames.worker_direct`: the same names and flags, so Python and q clients reach
 * either kind of worker).
 */
import type { QueueTopology, RouteInput } from './routing.js';

/** Celery's `WORKER_DIRECT_EXCHANGE`. */
export const WORKER_DIRECT_EXCHANGE = 'C.dq2';

/** The queue, exchange and binding of node `nodename`'s direct queue (durable, as kombu's `Queue` default). */
export function workerDirectTopology(nodename: string): QueueTopology {
  const name = `${nodename}.dq2`;
  return {
    queue: { name, durable: true, exclusive: false, autoDelete: false },
    exchange: { name: WORKER_DIRECT_EXCHANGE, type: 'direct', durable: true, autoDelete: false },
    binding: { queue: name, exchange: WORKER_DIRECT_EXCHANGE, routingKey: nodename },
  };
}

/**
 * The routing options that send a task to the worker named `nodename` alone (it must run with `worker.direct`).
 * @example await app.sendTask('tasks.flush', [], {}, workerDirect('celery@alpha'))
 */
export function workerDirect(nodename: string): Required<Pick<RouteInput, 'queue' | 'exchange' | 'routingKey'>> {
  return { queue: `${nodename}.dq2`, exchange: WORKER_DIRECT_EXCHANGE, routingKey: nodename };
}
