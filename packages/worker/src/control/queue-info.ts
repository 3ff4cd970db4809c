/**
 * A consumed queue as kombu's `Queue.as_dict(recurse=True)`, the shape `active_queues` replies
 * (`vectors/control-active-queues-reply.json`).
 */
import type { QueueInfo } from '@q/core';
import type { ConsumedQueue } from '../consumer/added-queue.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** kombu keeps `expires` and `message_ttl` in seconds; the queue arguments hold milliseconds. */
const seconds = (v: unknown): number | null => {
  const ms = num(v);
  return ms === null ? null : ms / 1000;
};

/** kombu's dict of `topology`'s queue. */
export function queueInfo(topology: ConsumedQueue): QueueInfo {
  const { queue, exchange, binding } = topology;
  const args = queue.arguments && Object.keys(queue.arguments).length > 0 ? { ...queue.arguments } : null;
  const exchangeArgs = exchange.arguments && Object.keys(exchange.arguments).length > 0 ? { ...exchange.arguments } : null;
  return {
    name: queue.name,
    exchange: {
      name: exchange.name,
      type: exchange.type,
      arguments: exchangeArgs,
      durable: exchange.durable,
      passive: false,
      auto_delete: exchange.autoDelete,
      delivery_mode: null,
      no_declare: false,
    },
    routing_key: binding.routingKey,
    queue_arguments: args,
    binding_arguments: binding.arguments && Object.keys(binding.arguments).length > 0 ? { ...binding.arguments } : null,
    consumer_arguments: null,
    durable: queue.durable,
    exclusive: queue.exclusive,
    auto_delete: queue.autoDelete,
    no_ack: false,
    alias: null,
    bindings: [],
    no_declare: null,
    expires: seconds(args?.['x-expires']),
    message_ttl: seconds(args?.['x-message-ttl']),
    max_length: num(args?.['x-max-length']),
    max_length_bytes: num(args?.['x-max-length-bytes']),
    max_priority: queue.maxPriority ?? num(args?.['x-max-priority']),
  };
}
