/**
 * Broadcast queues, as kombu's `Broadcast` (`kombu.common.Broadcast`): a task routed to a broadcast queue runs on
 * every worker consuming it. The declared name (`bc`) is an alias: clients publish to the fanout exchange (default:
 * the same name) and declare no queue; each consuming worker declares a queue of its own, `bcast.<uuid4>` (kombu's
 * naming, so q and Python workers coexist on one exchange), bound with Celery's default routing key, durable and
 * auto-delete as kombu declares it.
 *
 * On RabbitMQ the exchange is a real fanout. On Redis it is kombu's pub/sub fanout (`PUBLISH /{db}.<exchange>/<key>`):
 * not persisted and not acknowledged, so a worker that is not connected when a task is sent never gets it, in
 * Python Celery too.
 */
import type { QueueOptions } from '../config/resolved-config.js';
import type { ResolvedConfig } from '../config/options.js';
import { randomUUID } from 'node:crypto';
import { queueTopology, type QueueTopology } from './routing.js';

/** kombu's prefix of a worker's own broadcast queue (`bcast.<uuid4>`). */
export const BROADCAST_QUEUE_PREFIX = 'bcast';

/** Options of {@link broadcastQueue}: those of a declared queue, without `name` and `broadcast`. */
export type BroadcastQueueOptions = Omit<QueueOptions, 'name' | 'broadcast'>;

/**
 * A `task.queues` entry for a broadcast queue named `name` (kombu's `Broadcast(name)`): route a task to `name` and
 * every worker consuming `name` runs it.
 * @example createApp({ task: { queues: [broadcastQueue('bc')], routes: { 'tasks.reloadCache': { queue: 'bc' } } } })
 */
export function broadcastQueue(name: string, options: BroadcastQueueOptions = {}): QueueOptions {
  return { ...options, name, broadcast: true };
}

/** True when `name` is a broadcast queue declared in `task.queues`. */
export function isBroadcastQueue(conf: ResolvedConfig, name: string): boolean {
  return conf.task.queues.some((q) => q.name === name && q.broadcast);
}

/**
 * The topology a worker consumes for queue `name`: for a broadcast queue, a queue of the worker's own
 * (`bcast.<id>`, `id` a fresh uuid4 unless given) bound to the queue's fanout exchange; otherwise
 * {@link queueTopology}.
 */
export function consumedQueueTopology(conf: ResolvedConfig, name: string, id: string = randomUUID()): QueueTopology {
  const topology = queueTopology(conf, name);
  if (!isBroadcastQueue(conf, name)) return topology;
  const own = `${BROADCAST_QUEUE_PREFIX}.${id}`;
  return { queue: { ...topology.queue, name: own }, exchange: topology.exchange, binding: { ...topology.binding, queue: own } };
}
