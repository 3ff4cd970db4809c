/**
 * The exchanges and queues of remote control (pidbox) and events (`celeryev`), with exactly the flags and
 * arguments Python Celery 5.2.6 declares (spec §3.1, `vectors/amqp-topology-rabbitmqctl.txt`): RabbitMQ refuses a
 * second declaration with other flags (`PRECONDITION_FAILED`), so q and Python must declare them alike to share a
 * vhost. Remote control and events use these; transports declare them as given.
 */
import type { ExchangeDeclaration } from '../contracts/transport.js';
import type { QueueTopology } from './routing.js';

/** Celery's settings behind the pidbox and event topology (names and defaults as Celery's, durations in seconds). */
export interface BroadcastTopologyOptions {
  /** `control_exchange` (default `celery`): the exchanges are `<it>.pidbox` and `reply.<it>.pidbox`. */
  controlExchange?: string;
  /** `control_queue_expires` (default 10 s): `x-expires` of control and reply queues. */
  controlQueueExpires?: number;
  /** `control_queue_ttl` (default 300 s): `x-message-ttl` of control and reply queues. */
  controlQueueTtl?: number;
  /** `event_exchange` (default `celeryev`). */
  eventExchange?: string;
  /** `event_queue_prefix` (default `celeryev`): event receiver queues are `<prefix>.<id>`. */
  eventQueuePrefix?: string;
  /** `event_queue_expires` (default 60 s). */
  eventQueueExpires?: number;
  /** `event_queue_ttl` (default 5 s). */
  eventQueueTtl?: number;
}

const ms = (seconds: number): number => Math.round(seconds * 1000);

/** A queue that goes away when unused (`auto_delete`, `x-expires`) and drops stale messages (`x-message-ttl`). */
function transientQueue(name: string, expiresS: number, ttlS: number): QueueTopology['queue'] {
  return { name, durable: false, exclusive: false, autoDelete: true, arguments: { 'x-expires': ms(expiresS), 'x-message-ttl': ms(ttlS) } };
}

/** The broadcast exchange of remote control: `celery.pidbox`, fanout, not durable. */
export function controlExchange(options: BroadcastTopologyOptions = {}): ExchangeDeclaration {
  return { name: `${options.controlExchange ?? 'celery'}.pidbox`, type: 'fanout', durable: false, autoDelete: false };
}

/** A worker's control queue `<nodename>.celery.pidbox`, bound to `celery.pidbox` with an empty routing key. */
export function controlQueueTopology(nodename: string, options: BroadcastTopologyOptions = {}): QueueTopology {
  const exchange = controlExchange(options);
  const name = `${nodename}.${exchange.name}`;
  return {
    queue: transientQueue(name, options.controlQueueExpires ?? 10, options.controlQueueTtl ?? 300),
    exchange,
    binding: { queue: name, exchange: exchange.name, routingKey: '' },
  };
}

/** A client's control reply queue `<oid>.reply.celery.pidbox`, bound to `reply.celery.pidbox` with key `<oid>`. */
export function controlReplyTopology(oid: string, options: BroadcastTopologyOptions = {}): QueueTopology {
  const exchange: ExchangeDeclaration = { name: `reply.${options.controlExchange ?? 'celery'}.pidbox`, type: 'direct', durable: false, autoDelete: false };
  const name = `${oid}.${exchange.name}`;
  return {
    queue: transientQueue(name, options.controlQueueExpires ?? 10, options.controlQueueTtl ?? 300),
    exchange,
    binding: { queue: name, exchange: exchange.name, routingKey: oid },
  };
}

/** The event exchange `celeryev`: topic, durable. */
export function eventExchange(options: BroadcastTopologyOptions = {}): ExchangeDeclaration {
  return { name: options.eventExchange ?? 'celeryev', type: 'topic', durable: true, autoDelete: false };
}

/**
 * An event receiver's queue `celeryev.<id>` bound with `routingKey`: `#` for a monitor (all events), `worker.#`
 * for a worker's gossip.
 */
export function eventReceiverTopology(id: string, routingKey = '#', options: BroadcastTopologyOptions = {}): QueueTopology {
  const exchange = eventExchange(options);
  const name = `${options.eventQueuePrefix ?? 'celeryev'}.${id}`;
  return {
    queue: transientQueue(name, options.eventQueueExpires ?? 60, options.eventQueueTtl ?? 5),
    exchange,
    binding: { queue: name, exchange: exchange.name, routingKey },
  };
}
