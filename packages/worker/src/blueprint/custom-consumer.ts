/**
 * Custom message consumers (Celery's `bootsteps.ConsumerStep`, "Custom Message Consumers" in Celery's extending
 * guide): a bootstep that consumes queues of its own with the worker's connection (its transport), started after
 * the connection and stopped before it, whose messages its handler acks or rejects.
 */
import { consumedQueueTopology } from '@q/core/adapter';
import type { Consumer, Delivery, DeliveryInfo, Message, QueueTopology } from '@q/core/adapter';
import type { Bootstep, QueueOptions, ResolvedConfig } from '@q/core';
import type { WorkerHost } from './worker-host.js';

/** A delivery handed to a custom consumer's handler: settle it with `ack()` or `nack({ requeue })`. */
export interface ConsumedMessage extends Delivery {
  /** True once `ack` or `nack` was called (by the handler, or by the step after a failure or at stop). */
  readonly settled: boolean;
}

/**
 * Handles one message of a custom consumer. `body` is the message decoded by its content type with the app's
 * serializers (`decode: false`: the raw bytes). Settle `message` (`ack()`, `nack({ requeue })`), now or later. A
 * handler that throws or rejects before settling gets its message rejected without requeue (logged), so a
 * message it cannot handle does not come back forever.
 */
export type CustomMessageHandler = (body: unknown, message: ConsumedMessage, worker: WorkerHost) => void | Promise<void>;

/** Options of {@link customConsumer}. */
export interface CustomConsumerOptions {
  /** The bootstep's name (unique among the worker's steps). */
  name: string;
  /**
   * Queues to consume: a name (declared as the worker declares its own: from `task.queues`, else a direct queue of
   * that name) or a queue declaration (Celery's `Queue('custom', Exchange('custom'), 'routing_key')`).
   */
  queues: readonly (string | QueueOptions)[];
  /** Called with each message. */
  handle: CustomMessageHandler;
  /**
   * Unacknowledged messages in flight per queue (0 = unlimited). Default: the worker's own prefetch
   * (`concurrency × prefetchMultiplier`). On a transport whose consumers share one limit (AMQP: one channel, a global
   * `basic.qos`, as Celery's worker), the value set last applies to the task consumer too: leave it unset there.
   */
  prefetch?: number;
  /** Decode bodies with the app's serializers (default true); false hands the handler the raw bytes. */
  decode?: boolean;
  /** Content types accepted (default the app's `accept`); a message of another type is rejected without requeue. */
  accept?: readonly string[];
  /** Steps this one starts after (always after `connection`). */
  requires?: readonly string[];
  /** Whether this worker runs the consumer (default: always). */
  enabled?(worker: WorkerHost): boolean;
}

/** The bootstep {@link customConsumer} returns. */
export interface ConsumerStep extends Bootstep<WorkerHost> {
  /** The queue names it consumes. */
  readonly queues: readonly string[];
  /** Messages handed to the handler and not settled yet (0 while stopped). */
  readonly unsettled: number;
}

/**
 * A custom message consumer as a bootstep: give it to `createWorker(app, { bootsteps: [...] })` or register it
 * from a plugin (`api.bootstep(...)`). On start it declares its queues and consumes them on the worker's
 * transport; on stop it stops consuming, waits for the handlers running (a warm stop; a cold one does not wait)
 * and gives back every message still unsettled (`nack({ requeue: true })`).
 *
 * @example
 * const audit = customConsumer({
 *   name: 'audit',
 *   queues: [{ name: 'audit', exchange: 'audit', routingKey: 'audit.#', exchangeType: 'topic' }],
 *   async handle(body, message, worker) {
 *     worker.logger.info({ body }, 'audit event');
 *     await message.ack();
 *   },
 * });
 * const worker = createWorker(app, { bootsteps: [audit] });
 */
export function customConsumer(options: CustomConsumerOptions): ConsumerStep {
  const queues = options.queues.map((q) => (typeof q === 'string' ? q : q.name));
  let consumers: Consumer[] = [];
  let closing = false;
  const unsettled = new Set<Tracked>();
  const running = new Set<Promise<void>>();

  const onDelivery = (worker: WorkerHost, delivery: Delivery): void => {
    const message = new Tracked(delivery, unsettled);
    if (closing) {
      void message.nack({ requeue: true }).catch(() => undefined);
      return;
    }
    const work = handleOne(worker, options, message);
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  const step: ConsumerStep = {
    name: options.name,
    requires: ['connection', ...(options.requires ?? []).filter((r) => r !== 'connection')],
    queues,
    get unsettled() {
      return unsettled.size;
    },
    async start(worker) {
      closing = false;
      const transport = worker.transport;
      // The task consumer's current limit (raised while ETA tasks are held): unchanged where consumers share one.
      const prefetch = options.prefetch ?? worker.parts.consumer?.prefetch ?? worker.options.prefetch;
      for (const queue of options.queues) {
        const topology = topologyOf(worker.app.conf, queue);
        await transport.declareExchange(topology.exchange);
        await transport.declareQueue(topology.queue);
        await transport.bindQueue(topology.binding);
        const name = topology.queue.name;
        consumers.push(await transport.consume(name, (delivery) => onDelivery(worker, delivery), { prefetch, tag: `${worker.hostname}/${options.name}/${name}` }));
      }
      worker.logger.debug({ step: options.name, queues }, `custom consumer ${options.name} consuming ${queues.join(', ')}`);
    },
    async stop(worker, { graceful }) {
      closing = true;
      const stopping = consumers;
      consumers = [];
      await Promise.all(stopping.map((c) => c.cancel().catch((err: unknown) => worker.logger.warn({ err, queue: c.queue }, `could not cancel the consumer of ${c.queue}`))));
      if (graceful) await Promise.all([...running]);
      const left = [...unsettled];
      await Promise.all(left.map((m) => m.nack({ requeue: true }).catch((err: unknown) => worker.logger.warn({ err }, `${options.name}: could not requeue a message`))));
      if (left.length > 0) worker.logger.info(`${options.name}: ${left.length} unsettled message(s) requeued`);
    },
  };
  if (options.enabled) step.enabled = options.enabled;
  return step;
}

/** Decode, call the handler, reject on failure. Never rejects. */
async function handleOne(worker: WorkerHost, options: CustomConsumerOptions, message: Tracked): Promise<void> {
  let body: unknown;
  try {
    body = options.decode === false ? message.message.body : await decodeBody(worker, message.message, options.accept ?? worker.app.conf.accept);
  } catch (err) {
    worker.logger.warn({ err, queue: message.info.queue }, `${options.name}: rejecting a message that cannot be decoded: ${describe(err)}`);
    await message.nack({ requeue: false }).catch(() => undefined);
    return;
  }
  try {
    await options.handle(body, message, worker);
  } catch (err) {
    worker.logger.error({ err, queue: message.info.queue }, `${options.name}: the handler failed: ${describe(err)}`);
    if (!message.settled) await message.nack({ requeue: false }).catch(() => undefined);
  }
}

/** The body by its content type (after the `compression` codec, when the message has one). */
async function decodeBody(worker: WorkerHost, message: Message, accept: readonly string[]): Promise<unknown> {
  const registry = worker.app.serializers;
  if (!registry.isAccepted(message.contentType, accept)) {
    throw new Error(`content type ${message.contentType} is not accepted (accept: ${accept.join(', ')})`);
  }
  const compression = message.headers['compression'];
  const bytes = typeof compression === 'string' ? await registry.codecByContentType(compression).decode(message.body) : message.body;
  return registry.byContentType(message.contentType).decode(bytes);
}

/** A queue name or declaration → the exchange, queue and binding to declare (as for the worker's own queues). */
function topologyOf(conf: ResolvedConfig, queue: string | QueueOptions): QueueTopology {
  if (typeof queue === 'string') return consumedQueueTopology(conf, queue);
  // The same defaults as a `task.queues` entry (core's `resolveConfig`); a broadcast queue is one of this worker's own.
  const broadcast = queue.broadcast === true;
  const resolved = {
    name: queue.name,
    exchange: queue.exchange ?? queue.name,
    exchangeType: queue.exchangeType ?? (broadcast ? 'fanout' : 'direct'),
    routingKey: queue.routingKey ?? (broadcast ? conf.task.defaultRoutingKey : queue.name),
    maxPriority: queue.maxPriority ?? null,
    durable: queue.durable ?? true,
    autoDelete: queue.autoDelete ?? broadcast,
    arguments: queue.arguments ?? {},
    broadcast,
  } as const;
  return consumedQueueTopology({ ...conf, task: { ...conf.task, queues: [resolved] } }, queue.name);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A delivery that knows whether it was settled, and leaves the step's unsettled set when it is. */
class Tracked implements ConsumedMessage {
  readonly #delivery: Delivery;
  readonly #unsettled: Set<Tracked>;
  #settled = false;

  constructor(delivery: Delivery, unsettled: Set<Tracked>) {
    this.#delivery = delivery;
    this.#unsettled = unsettled;
    unsettled.add(this);
  }

  get message(): Message {
    return this.#delivery.message;
  }

  get info(): DeliveryInfo {
    return this.#delivery.info;
  }

  get lost(): boolean {
    return this.#delivery.lost === true;
  }

  get settled(): boolean {
    return this.#settled;
  }

  ack(): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settle();
    return this.#delivery.ack();
  }

  nack(options: { requeue: boolean }): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settle();
    return this.#delivery.nack(options);
  }

  #settle(): void {
    this.#settled = true;
    this.#unsettled.delete(this);
  }
}
