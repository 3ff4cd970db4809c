/**
 * Celery's `EventReceiver`: consumes the event exchange through a queue of its own, `celeryev.<id>` (auto-delete,
 * `x-expires` 60 s, `x-message-ttl` 5 s: a monitor that goes away leaves nothing behind), bound with `routingKey`
 * (`#` for every event, `worker.#` for a worker's gossip), without acks. Each message's events (one object, or a
 * `task.multi` array in order) are clocked and localized as Celery's `event_from_message` does ({@link prepareEvent})
 * and handed to `handlers[type]`, or `handlers['*']` when the type has no handler of its own (Celery's
 * `process`). A malformed message or event, and a handler that throws, are logged and reported to `onError`; they
 * never stop the receiver.
 */
import { randomUUID } from 'node:crypto';
import { LamportClock, type Logger, type Transport } from '@q/core';
import { ConfigError, eventReceiverTopology, silentLogger, type BroadcastTopologyOptions, type Consumer, type Delivery } from '@q/core/adapter';
import { eventExchangeFor } from '../dispatcher/event-dispatcher.js';
import type { QEvent } from '../wire/event.js';
import { decodeEvents } from '../wire/event-message.js';
import { utcoffsetCache } from '../wire/utcoffset.js';
import { prepareEvent } from './localize.js';

/** Handles one event. */
export type EventHandler = (event: QEvent) => void;

/** Options of {@link EventReceiver}. */
export interface EventReceiverOptions {
  /** The transport to consume on, or a getter (the app's connected transport), asked by `start()`. */
  transport: Transport | (() => Promise<Transport>);
  /** Handlers by event type; `'*'` handles every event whose type has no handler. Kept by reference: it may be edited later. */
  handlers?: Record<string, EventHandler>;
  /** Binding key (default `#`: every event); `worker.#` for worker events only. */
  routingKey?: string;
  /** The queue is `<eventQueuePrefix>.<queueId>` (default a fresh uuid). */
  queueId?: string;
  /** Celery's `event_exchange`, `event_queue_prefix`, `event_queue_expires`, `event_queue_ttl` (the app's `conf.events`). */
  topology?: Pick<BroadcastTopologyOptions, 'eventExchange' | 'eventQueuePrefix' | 'eventQueueExpires' | 'eventQueueTtl'>;
  /** The clock moved past every event (default one of the receiver's own). */
  clock?: LamportClock;
  /** Move timestamps into the local zone (default true). */
  localize?: boolean;
  logger?: Logger;
  /** Called for each malformed message or event and each handler failure, with what was received. */
  onError?: (reason: string, raw: unknown) => void;
  /** Epoch milliseconds (default `Date.now`), for tests. */
  now?: () => number;
}

/** Options of {@link EventReceiver.capture}. */
export interface CaptureOptions {
  /** Resolve after this many events (counted across batches). */
  limit?: number;
  /** Resolve after this many seconds. */
  timeout?: number;
  /** Resolve when aborted. */
  signal?: AbortSignal;
}

/** Celery's `EventReceiver`; see the module comment. */
export class EventReceiver {
  /** The handlers by type (the object passed in, editable). */
  readonly handlers: Record<string, EventHandler>;
  /** The receiver's clock. */
  readonly clock: LamportClock;
  /** The queue consumed, `celeryev.<id>`. */
  readonly queue: string;
  readonly #getTransport: () => Promise<Transport>;
  readonly #routingKey: string;
  readonly #id: string;
  readonly #topology: BroadcastTopologyOptions;
  readonly #localize: boolean;
  readonly #log: Logger;
  readonly #onError: ((reason: string, raw: unknown) => void) | undefined;
  readonly #now: () => number;
  readonly #utcoffset = utcoffsetCache();
  #starting: Promise<Consumer> | null = null;
  readonly #captures = new Set<{ onEvent: () => void; end: () => void }>();
  /** Events handed on since start. */
  #received = 0;

  constructor(options: EventReceiverOptions) {
    const { transport } = options;
    this.#getTransport = typeof transport === 'function' ? transport : () => Promise.resolve(transport);
    this.handlers = options.handlers ?? {};
    this.#routingKey = options.routingKey ?? '#';
    this.#id = options.queueId ?? randomUUID();
    this.#topology = { ...options.topology };
    this.clock = options.clock ?? new LamportClock();
    this.#localize = options.localize ?? true;
    this.#log = options.logger ?? silentLogger;
    this.#onError = options.onError;
    this.#now = options.now ?? Date.now;
    this.queue = eventReceiverTopology(this.#id, this.#routingKey, this.#topology).queue.name;
  }

  /** Events handed to handlers since the receiver was made. */
  get received(): number {
    return this.#received;
  }

  /**
   * Declares the event exchange (fanout on pub/sub transports, else topic), the queue and its binding, and
   * consumes it without acks. Idempotent; a failed start can be retried.
   * @throws ConfigError `Q_ERR_CAPABILITY_UNSUPPORTED` when the transport has neither fanout nor topic exchanges;
   *   the transport's errors.
   */
  start(): Promise<void> {
    if (!this.#starting) {
      const starting = this.#start();
      starting.catch(() => {
        if (this.#starting === starting) this.#starting = null;
      });
      this.#starting = starting;
    }
    return this.#starting.then(() => undefined);
  }

  /** Stops consuming; captures under way resolve. The queue goes away on its own (auto-delete, `x-expires`). */
  async stop(): Promise<void> {
    for (const capture of [...this.#captures]) capture.end();
    const starting = this.#starting;
    this.#starting = null;
    if (!starting) return;
    let consumer: Consumer;
    try {
      consumer = await starting;
    } catch {
      return;
    }
    try {
      await consumer.cancel();
    } catch (err) {
      this.#log.debug({ err, queue: this.queue }, 'event receiver: cancel failed (the connection is probably closed)');
    }
  }

  /**
   * Starts (if needed) and resolves once `limit` events were handled, `timeout` seconds passed, or `signal` aborted,
   * whichever comes first (never, with none of them, until `stop()`). The receiver keeps consuming afterwards.
   */
  async capture(options: CaptureOptions = {}): Promise<void> {
    const { limit, timeout, signal } = options;
    if (signal?.aborted) return;
    // Registered before starting, so that a `stop()` during the start ends this capture too.
    let end = (): void => {};
    const done = new Promise<void>((resolve) => {
      let seen = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      end = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', end);
        this.#captures.delete(capture);
        resolve();
      };
      const capture = {
        onEvent: () => {
          seen += 1;
          if (limit !== undefined && seen >= limit) end();
        },
        end,
      };
      this.#captures.add(capture);
      if (timeout !== undefined) timer = setTimeout(end, Math.max(0, timeout) * 1000);
      signal?.addEventListener('abort', end, { once: true });
    });
    try {
      await this.start();
    } catch (err) {
      end();
      throw err;
    }
    if (limit !== undefined && limit <= 0) end();
    await done;
  }

  async #start(): Promise<Consumer> {
    const transport = await this.#getTransport();
    const exchange = eventExchangeFor(transport.capabilities, this.#topology.eventExchange);
    if (exchange === null) {
      throw new ConfigError('Q_ERR_CAPABILITY_UNSUPPORTED', `${transport.describe()} has neither fanout nor topic exchanges, which events need`);
    }
    const { queue, binding } = eventReceiverTopology(this.#id, this.#routingKey, this.#topology);
    await transport.declareExchange(exchange);
    await transport.declareQueue(queue);
    await transport.bindQueue(binding);
    return transport.consume(queue.name, (delivery) => this.#onDelivery(delivery), { prefetch: 0, noAck: true, tag: `celeryev-${this.#id}` });
  }

  #onDelivery(delivery: Delivery): void {
    const { events, errors } = decodeEvents(delivery.message);
    for (const reason of errors) this.#fail(reason, delivery.message, null);
    if (events.length === 0) return;
    const nowMs = this.#now();
    const localUtcoffset = this.#utcoffset(nowMs);
    for (const event of events) {
      prepareEvent(event, { clock: this.clock, localize: this.#localize, nowMs, localUtcoffset });
      this.#received += 1;
      const handler = this.handlers[event.type] ?? this.handlers['*'];
      if (handler) {
        try {
          handler(event);
        } catch (err) {
          this.#fail(`handler of ${event.type} failed`, event, err);
        }
      }
      for (const capture of [...this.#captures]) capture.onEvent();
    }
  }

  #fail(reason: string, raw: unknown, err: unknown): void {
    this.#log.warn(err === null ? { queue: this.queue } : { err, queue: this.queue }, `event receiver: ${reason}`);
    if (!this.#onError) return;
    try {
      this.#onError(reason, raw);
    } catch (onErrorFailure) {
      this.#log.error({ err: onErrorFailure }, 'event receiver: onError threw');
    }
  }
}
