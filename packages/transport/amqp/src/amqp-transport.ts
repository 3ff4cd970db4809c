/**
 * `amqpTransport()`: the full q transport over AMQP 0-9-1 (RabbitMQ), wire-compatible with Celery's py-amqp
 * transport. Declarations go to the broker with the core's flags (Python Celery's), tasks are published to the
 * default exchange with routing key = queue name (the core passes that target), publishes are confirmed, the
 * acknowledging consumers share one channel with a global prefetch (Celery's worker QoS), and a lost connection
 * or channel is re-established with its declarations and consumers.
 */
import type { Transport } from '@q/core';
import type { BindingDeclaration, Consumer, ConsumeOptions, DeliveryHandler, ExchangeDeclaration, Message, PublishTarget, QueueDeclaration, TransportCapabilities } from '@q/core/adapter';
import { AmqpConnection } from './connection.js';
import { ConsumerChannel } from './consumer-channel.js';
import { resolveAmqpOptions, type AmqpTransportOptions, type ResolvedAmqpOptions } from './options.js';
import { Publisher } from './publisher.js';
import { Topology } from './topology.js';
import { maskAmqpUrl } from './url.js';

/** What the AMQP transport supports. */
export const AMQP_CAPABILITIES: TransportCapabilities = Object.freeze({
  priorities: 'native',
  nativeDelay: false,
  fanout: true,
  topic: true,
  push: true,
  redeliversUnacked: 'immediate',
});

/** The AMQP transport. Use {@link amqpTransport} to create one. */
export class AmqpTransport implements Transport {
  readonly capabilities = AMQP_CAPABILITIES;
  /** Resolved options. */
  readonly options: ResolvedAmqpOptions;
  readonly #conn: AmqpConnection;
  readonly #topology: Topology;
  #publisher: Publisher;
  #shared: ConsumerChannel | null = null;
  #noAck: ConsumerChannel | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: AmqpTransportOptions | string = {}) {
    this.options = resolveAmqpOptions(options);
    const logger = this.options.logger;
    this.#conn = new AmqpConnection(this.options, (model) => this.#topology.replay(model));
    this.#topology = new Topology({ conn: this.#conn, logger, waitMs: this.options.publishWaitMs });
    this.#publisher = this.#newPublisher();
  }

  /**
   * Connects (idempotent). The first connection tries each broker of a failover list once.
   * @throws ConnectionError `Q_ERR_CONNECTION_FAILED`; QError `Q_ERR_AMQP_CODEC` if amqplib cannot use q's codec.
   */
  async connect(): Promise<void> {
    if (this.#closing) await this.#closing;
    await this.#conn.connect();
  }

  /**
   * Waits for outstanding publish confirms, closes the consuming channels (the broker requeues every delivery not
   * acknowledged yet: requeue on shutdown) and the connection. The transport can be connected again afterwards.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close().finally(() => (this.#closing = null));
    return this.#closing;
  }

  async #close(): Promise<void> {
    const timeout = this.options.closeTimeoutMs;
    const publisher = this.#publisher;
    this.#publisher = this.#newPublisher();
    const channels = [this.#shared, this.#noAck].filter((c): c is ConsumerChannel => c !== null);
    this.#shared = null;
    this.#noAck = null;
    await publisher.close(timeout);
    await Promise.all(channels.map((c) => c.close()));
    await this.#conn.close(timeout);
    this.#topology.clear();
  }

  declareExchange(exchange: ExchangeDeclaration): Promise<void> {
    return this.#topology.declareExchange(exchange);
  }

  declareQueue(queue: QueueDeclaration): Promise<void> {
    return this.#topology.declareQueue(queue);
  }

  bindQueue(binding: BindingDeclaration): Promise<void> {
    return this.#topology.bindQueue(binding);
  }

  /** Publishes (confirmed by the broker unless `confirmPublish: false`). Connects first if needed. */
  publish(message: Message, target: PublishTarget): Promise<void> {
    // Taken now, so a `close()` called right after still waits for this publish.
    const publisher = this.#publisher;
    if (this.#conn.state === 'idle') return this.connect().then(() => publisher.publish(message, target));
    return publisher.publish(message, target);
  }

  /**
   * Consumes `queue`. All acknowledging consumers of this transport share one channel and one prefetch limit
   * (`basic.qos` global, as Celery's worker does): `options.prefetch` and `setPrefetch` set that shared limit (the
   * last value wins). `noAck` consumers use a channel of their own without a limit.
   */
  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    await this.#connectIfIdle();
    const noAck = options.noAck === true;
    const host = {
      conn: this.#conn,
      topology: this.#topology,
      logger: this.options.logger,
      reconnectDelayMs: this.options.reconnectDelayMs,
      maxReconnectDelayMs: this.options.maxReconnectDelayMs,
    };
    const channel = noAck ? (this.#noAck ??= new ConsumerChannel(host, true)) : (this.#shared ??= new ConsumerChannel(host, false));
    const consumeOptions: { prefetch: number; tag?: string } = { prefetch: options.prefetch };
    if (options.tag !== undefined) consumeOptions.tag = options.tag;
    return channel.consume(queue, handler, consumeOptions);
  }

  /** Removes the ready messages of `queue` and returns how many; a queue that does not exist has 0. */
  async purge(queue: string): Promise<number> {
    await this.#connectIfIdle();
    return this.#topology.purge(queue);
  }

  /** Ready messages of `queue` (a passive declare on a channel of its own); a queue that does not exist has 0. */
  async queueSize(queue: string): Promise<number> {
    await this.#connectIfIdle();
    return (await this.#topology.messageCount(queue)) ?? 0;
  }

  /** The URL (every broker of a failover list) with passwords masked. */
  describe(): string {
    return maskAmqpUrl(this.options.url);
  }

  /** Connects a transport that was never connected (a lost connection is waited for by each operation instead). */
  async #connectIfIdle(): Promise<void> {
    if (this.#conn.state === 'idle' || this.#conn.state === 'connecting') await this.connect();
  }

  #newPublisher(): Publisher {
    return new Publisher({ conn: this.#conn, logger: this.options.logger, confirm: this.options.confirmPublish, waitMs: this.options.publishWaitMs });
  }
}

/**
 * An AMQP (RabbitMQ) transport, wire-compatible with Celery's `amqp://` / `pyamqp://` transport.
 *
 * ```ts
 * const app = createApp({ broker: amqpTransport('amqp://guest:guest@localhost:5672//') });
 * ```
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL, `Q_ERR_CONFIG_INVALID` for a bad option.
 */
export function amqpTransport(options: AmqpTransportOptions | string = {}): AmqpTransport {
  return new AmqpTransport(options);
}
