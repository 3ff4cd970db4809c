/**
 * The topology of a queue a worker is told to consume at run time (remote control `add_consumer`, Celery's
 * `Consumer.add_task_queue`): a queue the app declares (or the default queue) keeps its declaration; any other is
 * declared from the arguments: exchange named after the queue unless given, type `direct`, routing key = queue
 * name, plus kombu's `Queue.from_dict` options.
 */
import { ConfigError } from '@q/core';
import type { ExchangeType, ResolvedConfig } from '@q/core';
import { consumedQueueTopology } from '@q/core/adapter';
import type { QueueTopology } from '@q/core/adapter';

/** A queue the worker consumes, with its exchange and binding. */
export type ConsumedQueue = QueueTopology;

/** Options of `worker.addConsumer` (the `add_consumer` command's arguments, camelCased). */
export interface AddConsumerOptions {
  /** Exchange name (default: the queue's name). */
  exchange?: string;
  /** `direct` (default), `topic`, `fanout` or `headers`. */
  exchangeType?: string;
  /** Binding key (default: the queue's name). */
  routingKey?: string;
  /**
   * kombu's `Queue.from_dict` keys, as the command sends them: `durable`/`queue_durable`, `auto_delete`/
   * `queue_auto_delete`, `exclusive`, `queue_arguments`, `binding_arguments`, `exchange_durable`,
   * `exchange_auto_delete`, `exchange_arguments`, `max_priority`, `expires` and `message_ttl` (seconds),
   * `max_length`, `max_length_bytes`. Others are ignored.
   */
  options?: Record<string, unknown>;
}

const EXCHANGE_TYPES: readonly string[] = ['direct', 'topic', 'fanout', 'headers'];

const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 ? { ...(v as Record<string, unknown>) } : undefined;

/**
 * The topology of `queue` for `addConsumer`.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for an empty queue name or an unknown exchange type.
 */
export function addedQueueTopology(conf: ResolvedConfig, queue: string, spec: AddConsumerOptions = {}): ConsumedQueue {
  if (queue === '') throw new ConfigError('Q_ERR_CONFIG_INVALID', 'add consumer: the queue name is empty');
  if (queue === conf.task.defaultQueue || conf.task.queues.some((q) => q.name === queue)) return consumedQueueTopology(conf, queue);
  const type = spec.exchangeType ?? 'direct';
  if (!EXCHANGE_TYPES.includes(type)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `add consumer ${queue}: unknown exchange type ${JSON.stringify(type)} (expected ${EXCHANGE_TYPES.join(', ')})`);
  }
  const o = spec.options ?? {};
  const exchange = spec.exchange ?? queue;
  const routingKey = spec.routingKey ?? queue;
  const args: Record<string, unknown> = record(o['queue_arguments']) ?? {};
  const maxPriority = num(o['max_priority']) ?? conf.task.queueMaxPriority ?? undefined;
  if (maxPriority !== undefined) args['x-max-priority'] = maxPriority;
  const expires = num(o['expires']);
  if (expires !== undefined) args['x-expires'] = Math.round(expires * 1000);
  const ttl = num(o['message_ttl']);
  if (ttl !== undefined) args['x-message-ttl'] = Math.round(ttl * 1000);
  const maxLength = num(o['max_length']);
  if (maxLength !== undefined) args['x-max-length'] = maxLength;
  const maxBytes = num(o['max_length_bytes']);
  if (maxBytes !== undefined) args['x-max-length-bytes'] = maxBytes;
  const topology: ConsumedQueue = {
    queue: {
      name: queue,
      durable: bool(o['queue_durable']) ?? bool(o['durable']) ?? true,
      exclusive: bool(o['exclusive']) ?? false,
      autoDelete: bool(o['queue_auto_delete']) ?? bool(o['auto_delete']) ?? false,
    },
    exchange: {
      name: exchange,
      type: type as ExchangeType,
      durable: bool(o['exchange_durable']) ?? bool(o['durable']) ?? true,
      autoDelete: bool(o['exchange_auto_delete']) ?? bool(o['auto_delete']) ?? false,
    },
    binding: { queue, exchange, routingKey },
  };
  if (Object.keys(args).length > 0) topology.queue.arguments = args;
  if (maxPriority !== undefined) topology.queue.maxPriority = maxPriority;
  const exchangeArgs = record(o['exchange_arguments']);
  if (exchangeArgs !== undefined) topology.exchange.arguments = exchangeArgs;
  const bindingArgs = record(o['binding_arguments']);
  if (bindingArgs !== undefined) topology.binding.arguments = bindingArgs;
  return topology;
}
