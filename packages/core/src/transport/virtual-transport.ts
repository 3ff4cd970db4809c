/**
 * `virtualTransport(driver)`: lifts a tier-2 {@link QueueDriver} into the full {@link Transport} contract, the way
 * kombu's virtual transport does. It wraps each message in kombu's JSON envelope with a fresh delivery tag, emulates
 * exchanges (default exchange → the queue named by the routing key; direct/topic → bindings; fanout → the driver's
 * native broadcast or every bound queue), and runs one consume loop per consumer with prefetch.
 */
import type { Logger } from '../contracts/logger.js';
import { silentLogger } from '../contracts/logger.js';
import type { Message } from '../contracts/message.js';
import type { PutOptions, QueueDriver, StoredBinding } from '../contracts/queue-driver.js';
import type {
  BindingDeclaration,
  ConsumeOptions,
  Consumer,
  DeliveryHandler,
  ExchangeDeclaration,
  ExchangeType,
  PublishTarget,
  QueueDeclaration,
  Transport,
  TransportCapabilities,
} from '../contracts/transport.js';
import { encodeEnvelope } from '../protocol/envelope.js';
import { uuid } from '../protocol/ids.js';
import { subscribeFanout, type FanoutBinding } from './fanout-subscription.js';
import type { LeaseDelivery } from './lease-delivery.js';
import { RoutingTable, routeQueues, storedBinding } from './routing-table.js';
import { LeaseConsumer } from './lease-consumer.js';

/** Options of {@link virtualTransport}. */
export interface VirtualTransportOptions {
  logger?: Logger;
  /** Poll interval for drivers that cannot block in `reserve` (default 1000 ms, kombu's `polling_interval`). */
  pollIntervalMs?: number;
  /**
   * Renew the leases of unsettled deliveries this often, for drivers with `extendLease` (so a long task or a held
   * ETA task is not redelivered after the visibility timeout while its worker is alive). Default: no renewal.
   */
  leaseRenewalMs?: number;
}

/** Lift a queue driver into a full transport. */
export function virtualTransport(driver: QueueDriver, options: VirtualTransportOptions = {}): Transport {
  return new VirtualTransport(driver, options);
}

class VirtualTransport implements Transport {
  readonly capabilities: TransportCapabilities;
  readonly queueSize?: (queue: string) => Promise<number>;
  readonly #driver: QueueDriver;
  readonly #logger: Logger;
  readonly #pollIntervalMs: number;
  readonly #leaseRenewalMs: number | null;
  readonly #exchangeTypes = new Map<string, ExchangeType>();
  readonly #table = new RoutingTable();
  /** Bindings declared through this transport, per queue (to know which queues are fanned out natively). */
  readonly #queueBindings = new Map<string, FanoutBinding[]>();
  readonly #consumers = new Set<Consumer>();
  readonly #leaseConsumers = new Set<LeaseConsumer>();
  readonly #unsettled = new Set<LeaseDelivery>();
  #connecting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #renewTimer: ReturnType<typeof setInterval> | null = null;

  constructor(driver: QueueDriver, options: VirtualTransportOptions) {
    this.#driver = driver;
    this.#logger = options.logger ?? silentLogger;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#leaseRenewalMs = options.leaseRenewalMs ?? null;
    const caps = driver.capabilities;
    // Exchanges are emulated by looking bindings up when publishing: that reaches another process's queues only
    // when the driver shares its bindings (`persistentBindings`). Fanout also works when the driver broadcasts.
    const sharedBindings = this.#persistentBindings();
    this.capabilities = Object.freeze({
      priorities: caps.priorities,
      nativeDelay: caps.nativeDelay,
      fanout: sharedBindings || this.#nativeFanout(),
      pubsubFanout: this.#nativeFanout(),
      topic: sharedBindings,
      push: caps.blockingReserve,
      redeliversUnacked: 'visibility-timeout',
    });
    if (driver.size) {
      const size = driver.size.bind(driver);
      this.queueSize = (queue) => size(queue);
    }
  }

  connect(): Promise<void> {
    this.#connecting ??= this.#driver.connect().catch((error: unknown) => {
      this.#connecting = null;
      throw error;
    });
    return this.#connecting;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    await Promise.all([...this.#consumers].map((c) => c.cancel()));
    const unsettled = [...this.#unsettled];
    if (unsettled.length > 0) this.#logger.info({ count: unsettled.length }, 'restoring unacknowledged messages');
    await Promise.all(
      unsettled.map((d) => d.restore().catch((err: unknown) => this.#logger.error({ err, deliveryTag: d.info.deliveryTag }, 'restore failed'))),
    );
    await this.#driver.close();
  }

  async declareExchange(exchange: ExchangeDeclaration): Promise<void> {
    this.#exchangeTypes.set(exchange.name, exchange.type);
  }

  async declareQueue(_queue: QueueDeclaration): Promise<void> {
    // Queues of a virtual transport exist as soon as a message is put into them.
  }

  async bindQueue(binding: BindingDeclaration): Promise<void> {
    if (binding.exchange === '') return;
    const type = this.#exchangeTypes.get(binding.exchange) ?? 'direct';
    const stored = storedBinding(type, binding.routingKey, binding.queue);
    const list = this.#queueBindings.get(binding.queue) ?? [];
    if (!list.some((b) => b.exchange === binding.exchange && b.routingKey === binding.routingKey)) {
      list.push({ exchange: binding.exchange, routingKey: binding.routingKey });
    }
    this.#queueBindings.set(binding.queue, list);
    if (this.#persistentBindings()) await this.#driver.bind?.(binding.exchange, stored);
    else this.#table.bind(binding.exchange, stored);
  }

  async publish(message: Message, target: PublishTarget): Promise<void> {
    const { exchange, routingKey } = target;
    if (exchange === '') return this.#put(routingKey, message, target);
    const type = target.exchangeType ?? this.#exchangeTypes.get(exchange) ?? 'direct';
    if (type === 'fanout' && this.#nativeFanout()) {
      const payload = encodeEnvelope(message, { exchange, routingKey, deliveryTag: uuid() });
      await this.#driver.fanoutPublish?.(exchange, routingKey, payload);
      return;
    }
    const queues = routeQueues(type, await this.#bindings(exchange), routingKey);
    if (queues.length === 0) {
      this.#logger.debug({ exchange, routingKey }, 'no queue bound for routing key: message dropped');
      return;
    }
    for (const queue of queues) await this.#put(queue, message, target);
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    const tag = options.tag ?? `${queue}-${uuid()}`;
    const fanout = this.#nativeFanout() ? this.#fanoutBindings(queue) : [];
    if (fanout.length > 0) {
      const subscription = await subscribeFanout(this.#driver, queue, fanout, handler, this.#logger);
      const consumer: Consumer = {
        queue,
        cancel: async () => {
          await subscription.cancel();
          this.#consumers.delete(consumer);
        },
        setPrefetch: (n) => subscription.setPrefetch(n),
      };
      this.#consumers.add(consumer);
      return consumer;
    }
    const consumer = new LeaseConsumer(queue, handler, { prefetch: options.prefetch, noAck: options.noAck ?? false, tag }, {
      driver: this.#driver,
      logger: this.#logger.child({ queue, consumer: tag }),
      pollIntervalMs: this.#pollIntervalMs,
      track: (d) => this.#unsettled.add(d),
      untrack: (d) => this.#unsettled.delete(d),
      removed: (c) => {
        this.#consumers.delete(c);
        this.#leaseConsumers.delete(c);
      },
    });
    this.#consumers.add(consumer);
    this.#leaseConsumers.add(consumer);
    consumer.start();
    this.#startRenewal();
    return consumer;
  }

  purge(queue: string): Promise<number> {
    return this.#driver.purge(queue);
  }

  describe(): string {
    return this.#driver.describe();
  }

  async #put(queue: string, message: Message, target: PublishTarget): Promise<void> {
    const tag = uuid();
    const payload = encodeEnvelope(message, { exchange: target.exchange, routingKey: target.routingKey, deliveryTag: tag });
    const put: PutOptions = { priority: message.properties.priority ?? 0, tag };
    const delay = this.capabilities.nativeDelay;
    if (delay !== false && target.delayMs !== undefined && target.delayMs > 0) put.delayMs = Math.min(target.delayMs, delay.maxDelayMs);
    await this.#driver.put(queue, payload, put);
    for (const consumer of this.#leaseConsumers) if (consumer.queue === queue) consumer.poke();
  }

  #persistentBindings(): boolean {
    const d = this.#driver;
    return d.capabilities.persistentBindings && typeof d.bind === 'function' && typeof d.bindings === 'function';
  }

  #nativeFanout(): boolean {
    const d = this.#driver;
    return d.capabilities.fanout && typeof d.fanoutPublish === 'function' && typeof d.subscribe === 'function';
  }

  async #bindings(exchange: string): Promise<StoredBinding[]> {
    if (this.#persistentBindings()) return (await this.#driver.bindings?.(exchange)) ?? [];
    return this.#table.bindings(exchange);
  }

  #fanoutBindings(queue: string): FanoutBinding[] {
    return (this.#queueBindings.get(queue) ?? []).filter((b) => this.#exchangeTypes.get(b.exchange) === 'fanout');
  }

  #startRenewal(): void {
    const extend = this.#driver.extendLease?.bind(this.#driver);
    if (this.#renewTimer || this.#leaseRenewalMs === null || !extend) return;
    this.#renewTimer = setInterval(() => {
      for (const delivery of this.#unsettled) {
        extend(delivery.lease).catch((err: unknown) => this.#logger.warn({ err, deliveryTag: delivery.info.deliveryTag }, 'lease renewal failed'));
      }
    }, this.#leaseRenewalMs);
    this.#renewTimer.unref?.();
  }
}
