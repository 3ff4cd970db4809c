/**
 * The consume loop of a virtual transport: one loop per consumer, reserving leases from the driver without ever
 * holding more than `prefetch` unsettled deliveries. Blocking drivers wait inside `reserve`; others are polled.
 */
import type { Logger } from '../contracts/logger.js';
import type { Lease, QueueDriver } from '../contracts/queue-driver.js';
import type { Consumer, DeliveryHandler } from '../contracts/transport.js';
import { decodeEnvelope } from '../protocol/envelope.js';
import { LeaseDelivery } from './lease-delivery.js';

/** Batch size when prefetch is 0 (unlimited). */
const UNLIMITED_BATCH = 100;
/** How long a blocking reserve waits before the loop checks its state again. */
const BLOCK_MS = 1000;
/** Pause after a failed reserve. */
const ERROR_BACKOFF_MS = 1000;

/** Resolves in the next turn of the event loop, once this turn's promise callbacks and `nextTick`s have run. */
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a consumer needs from its transport. */
export interface ConsumerHost {
  readonly driver: QueueDriver;
  readonly logger: Logger;
  readonly pollIntervalMs: number;
  /** Called for each delivery handed out (tracked until settled, for shutdown). */
  track(delivery: LeaseDelivery): void;
  untrack(delivery: LeaseDelivery): void;
  /** Called once the consumer is cancelled. */
  removed(consumer: LeaseConsumer): void;
}

/** A consumer of one queue over a lease-based driver. */
export class LeaseConsumer implements Consumer {
  readonly queue: string;
  readonly #handler: DeliveryHandler;
  readonly #host: ConsumerHost;
  readonly #noAck: boolean;
  readonly #tag: string;
  readonly #abort = new AbortController();
  #prefetch: number;
  #inFlight = 0;
  #cancelled = false;
  #poked = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> = Promise.resolve();
  /**
   * Called by each delivery when its ack (reject, release) is asked for: its place in the prefetch window is free
   * from then on, as in kombu's QoS, without waiting for the broker's reply. (One function for all deliveries.)
   */
  readonly #settlingOne = (): void => {
    if (!this.#noAck) this.#inFlight--;
    this.poke();
  };
  /** Called by each delivery once its settlement is done: no longer tracked for shutdown. */
  readonly #settledOne = (delivery: LeaseDelivery): void => {
    this.#host.untrack(delivery);
  };

  constructor(queue: string, handler: DeliveryHandler, options: { prefetch: number; noAck: boolean; tag: string }, host: ConsumerHost) {
    this.queue = queue;
    this.#handler = handler;
    this.#host = host;
    this.#prefetch = Math.max(0, Math.trunc(options.prefetch));
    this.#noAck = options.noAck;
    this.#tag = options.tag;
  }

  /** Deliveries of this consumer not settled yet (one whose ack was asked for no longer counts). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Start the loop. */
  start(): void {
    this.#loop = this.#run();
  }

  /** Wake the loop early (a message was published locally, a slot freed). */
  poke(): void {
    this.#poked = true;
    this.#wake?.();
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return this.#loop;
    this.#cancelled = true;
    this.#abort.abort();
    this.poke();
    await this.#loop;
    this.#host.removed(this);
  }

  async setPrefetch(prefetch: number): Promise<void> {
    this.#prefetch = Math.max(0, Math.trunc(prefetch));
    this.poke();
  }

  /**
   * Reserve, deliver, repeat. While a reserve came back full (the queue likely holds more) and the window still has
   * room, the next reserve is sent before this batch is delivered, so the broker prepares the next batch while the
   * worker runs this one: each reserve takes at most half the window, so two can be outstanding.
   */
  async #run(): Promise<void> {
    const { driver, logger } = this.#host;
    const blocking = driver.capabilities.blockingReserve;
    let ahead: { max: number; leases: Promise<Lease[]> } | null = null;
    while (!this.#cancelled) {
      let max: number;
      let leases: Lease[];
      try {
        if (ahead) {
          max = ahead.max;
          const next = ahead.leases;
          ahead = null;
          leases = await next;
        } else {
          const room = this.#room(0);
          if (room <= 0) {
            await this.#sleep(null);
            continue;
          }
          max = room;
          leases = await driver.reserve([this.queue], { max, waitMs: blocking ? BLOCK_MS : 0, signal: this.#abort.signal });
        }
      } catch (error) {
        if (this.#cancelled) break;
        logger.error({ err: error, queue: this.queue, consumer: this.#tag }, 'reserve failed; retrying');
        await this.#sleep(ERROR_BACKOFF_MS);
        continue;
      }
      if (this.#cancelled) {
        await this.#releaseAll(leases);
        break;
      }
      if (leases.length === 0) {
        if (!blocking) await this.#sleep(this.#host.pollIntervalMs);
        continue;
      }
      if (leases.length >= max) {
        const room = this.#room(leases.length);
        if (room > 0) {
          const next = driver.reserve([this.queue], { max: room, waitMs: 0, signal: this.#abort.signal });
          next.catch(() => undefined);
          ahead = { max: room, leases: next };
          // Let the request leave before the batch is delivered: delivering runs handlers synchronously, and a
          // driver that sends at the end of a turn (the Redis one coalesces a turn's commands into one write)
          // would otherwise send it only after the whole batch ran, and the broker would prepare nothing meanwhile.
          await yieldTurn();
          if (this.#cancelled) {
            await this.#releaseAll(leases);
            break;
          }
        }
      }
      for (const lease of leases) {
        const pending = this.#deliver(lease);
        if (pending) await pending;
      }
    }
    if (ahead) await this.#releaseAll(await ahead.leases.catch(() => []));
  }

  /** How many leases the next reserve may take, with `pending` reserved and not yet delivered. */
  #room(pending: number): number {
    if (this.#prefetch === 0) return UNLIMITED_BATCH;
    const free = this.#prefetch - this.#inFlight - pending;
    return Math.min(free, Math.ceil(this.#prefetch / 2));
  }

  async #releaseAll(leases: readonly Lease[]): Promise<void> {
    const { driver, logger } = this.#host;
    await Promise.all(leases.map((lease) => driver.release(lease).catch((err: unknown) => logger.error({ err }, 'release failed'))));
  }

  /**
   * Decode `lease` and hand it to the handler. Returns a promise only when the loop must wait before the next lease
   * (a malformed envelope being acked, a `noAck` delivery being acked); the usual delivery completes synchronously.
   */
  #deliver(lease: Lease): Promise<void> | undefined {
    const { driver, logger } = this.#host;
    let decoded: ReturnType<typeof decodeEnvelope>;
    try {
      decoded = decodeEnvelope(lease.payload);
    } catch (error) {
      if (driver.reject) {
        logger.error({ err: error, queue: lease.queue, deliveryTag: lease.tag }, 'malformed envelope: rejected');
        const detail = error instanceof Error ? error.message : String(error);
        return driver.reject(lease, { kind: 'malformed', detail }).catch((err: unknown) => logger.error({ err }, 'reject failed'));
      }
      logger.error({ err: error, queue: lease.queue, deliveryTag: lease.tag }, 'malformed envelope: dropped');
      return driver.ack(lease).catch((err: unknown) => logger.error({ err }, 'ack failed'));
    }
    const delivery = new LeaseDelivery({
      message: decoded.message,
      info: {
        exchange: decoded.exchange,
        routingKey: decoded.routingKey,
        redelivered: decoded.redelivered,
        queue: lease.queue,
        deliveryTag: decoded.deliveryTag || lease.tag,
        priority: decoded.priority,
      },
      lease,
      driver,
      logger,
      onSettling: this.#settlingOne,
      onSettled: this.#settledOne,
    });
    if (this.#noAck) return this.#ackThenInvoke(delivery);
    this.#inFlight++;
    this.#host.track(delivery);
    this.#invoke(delivery);
    return undefined;
  }

  /** A `noAck` delivery is acked before its handler runs. */
  async #ackThenInvoke(delivery: LeaseDelivery): Promise<void> {
    await delivery.ack().catch((err: unknown) => this.#host.logger.error({ err }, 'ack failed'));
    this.#invoke(delivery);
  }

  #invoke(delivery: LeaseDelivery): void {
    try {
      const result: unknown = this.#handler(delivery);
      if (result instanceof Promise) result.catch((error: unknown) => this.#rejectFailed(delivery, error));
    } catch (error) {
      this.#rejectFailed(delivery, error);
    }
  }

  /** The handler threw or rejected: drop the delivery unless the handler settled it. */
  #rejectFailed(delivery: LeaseDelivery, error: unknown): void {
    const { logger } = this.#host;
    logger.error({ err: error, queue: delivery.info.queue, deliveryTag: delivery.info.deliveryTag }, 'delivery handler failed; rejecting');
    if (delivery.settled === null) delivery.nack({ requeue: false }).catch((err: unknown) => logger.error({ err }, 'reject failed'));
  }

  /** Sleep `ms` (or until poked when `null`). A poke that came while awake ends the next sleep at once. */
  #sleep(ms: number | null): Promise<void> {
    if (this.#poked || this.#cancelled) {
      this.#poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.#wake = null;
        this.#poked = false;
        resolve();
      };
      if (ms !== null) timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
