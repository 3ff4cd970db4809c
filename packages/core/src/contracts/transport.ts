/**
 * The full transport contract (tier 1), for brokers with real exchanges, bindings and acks (AMQP).
 * Simple stores implement {@link QueueDriver} instead; `virtualTransport()` in core lifts a driver
 * into this contract.
 */
import type { Delivery, Message } from './message.js';
import type { NativeDelay } from './queue-driver.js';

/** What a transport supports. The core branches on these, never on the adapter's name. */
export interface TransportCapabilities {
  /** Priority support: `native` (0–255 like AMQP), `steps` (kombu's 4 lists: 0,3,6,9), or none. */
  priorities: 'native' | 'steps' | 'none';
  /**
   * The broker can delay a message itself, up to `maxDelayMs`: the producer then publishes a task with a near
   * ETA with `PublishTarget.delayMs`, so it reaches a worker when due. `false`: the worker holds ETA tasks.
   */
  nativeDelay: NativeDelay;
  /** Fanout exchanges work (needed by remote control and events). */
  fanout: boolean;
  /**
   * Fanout exchanges are the broker's pub/sub channels (Redis PUBLISH): nothing waits for a subscriber that is not
   * listening. Celery's event exchange is then declared `fanout` (as kombu does on Redis), elsewhere `topic`.
   */
  pubsubFanout?: boolean;
  /** Topic exchanges with wildcard routing keys work. */
  topic: boolean;
  /** Consumers are pushed messages without polling. */
  push: boolean;
  /** A consumer that dies without acking gets its messages redelivered (now, or after a visibility timeout). */
  redeliversUnacked: 'immediate' | 'visibility-timeout';
}

/** Exchange types Celery uses. */
export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

/** An exchange to declare. Flags must match Python Celery's exactly on AMQP. */
export interface ExchangeDeclaration {
  name: string;
  type: ExchangeType;
  durable: boolean;
  autoDelete: boolean;
  arguments?: Record<string, unknown>;
}

/** A queue to declare. */
export interface QueueDeclaration {
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  /** `x-max-priority`, `x-expires`, `x-message-ttl`, … */
  arguments?: Record<string, unknown>;
  /** Max priority (from `x-max-priority`), when priorities are enabled. */
  maxPriority?: number;
}

/** A binding of a queue to an exchange. */
export interface BindingDeclaration {
  queue: string;
  exchange: string;
  routingKey: string;
  arguments?: Record<string, unknown>;
}

/** Where to publish: exchange `""` is the default exchange (routing key = queue name). */
export interface PublishTarget {
  exchange: string;
  routingKey: string;
  /** Exchange type when known; virtual transports use it to route without a broker. */
  exchangeType?: ExchangeType;
  /** Deliver no sooner than this many ms from now; only set for transports that declare `nativeDelay`. */
  delayMs?: number;
}

/** Options of `consume`. */
export interface ConsumeOptions {
  /** Maximum unacknowledged deliveries in flight for this consumer (0 = unlimited). */
  prefetch: number;
  /** Deliveries are acknowledged by the broker on send (events, replies). */
  noAck?: boolean;
  /** Consumer tag, for logs. */
  tag?: string;
}

/** A running consumer. */
export interface Consumer {
  readonly queue: string;
  /** Stop receiving new deliveries. Deliveries already handed out stay valid. */
  cancel(): Promise<void>;
  /** Change the prefetch count (raised while ETA tasks are held). */
  setPrefetch(prefetch: number): Promise<void>;
}

/** Called with each delivery. Errors thrown here are logged and the delivery is rejected by the core. */
export type DeliveryHandler = (delivery: Delivery) => void;

/** Full transport (tier 1). */
export interface Transport {
  readonly capabilities: TransportCapabilities;
  /** Connect (idempotent). */
  connect(): Promise<void>;
  /** Close. Unacked deliveries are returned to their queues (requeue on shutdown). */
  close(): Promise<void>;
  declareExchange(exchange: ExchangeDeclaration): Promise<void>;
  declareQueue(queue: QueueDeclaration): Promise<void>;
  bindQueue(binding: BindingDeclaration): Promise<void>;
  publish(message: Message, target: PublishTarget): Promise<void>;
  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer>;
  /** Remove every ready message of a queue; returns how many were removed. */
  purge(queue: string): Promise<number>;
  /** Number of ready messages, when the broker can tell. */
  queueSize?(queue: string): Promise<number>;
  /** URL with the password masked, for banners and logs. */
  describe(): string;
}
