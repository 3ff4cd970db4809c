/**
 * Declaring the queues a worker consumes (with their exchange and binding), as a Celery worker does.
 */
import { queueTopology } from '@q/core/adapter';
import type { QueueTopology } from '@q/core/adapter';
import type { ResolvedConfig, Transport } from '@q/core';

/**
 * Declare `name` with the same topology a producer uses (`task.queues` entry, or Celery's automatic
 * direct queue), so worker and clients agree on flags.
 */
export async function declareConsumedQueue(transport: Transport, conf: ResolvedConfig, name: string): Promise<void> {
  await declareTopology(transport, queueTopology(conf, name));
}

/** Declare a queue's exchange, the queue, and its binding. */
export async function declareTopology(transport: Transport, topology: QueueTopology): Promise<void> {
  await transport.declareExchange(topology.exchange);
  await transport.declareQueue(topology.queue);
  await transport.bindQueue(topology.binding);
}
