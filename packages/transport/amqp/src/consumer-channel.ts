/**
 * A consuming channel shared by several consumers, as Celery's worker consumes all its task queues on ONE channel
 * with `basic.qos(prefetch_size=0, prefetch_count, global=true)` (RabbitMQ ≥ 3.3): the consumers share one limit
 * of unacknowledged deliveries, which `setPrefetch` on any of them changes (the last value wins).
 *
 * Recovery: when the channel closes (the connection dropped, or the broker closed the channel — e.g. RabbitMQ's
 * `consumer_timeout`), the broker requeues its unacknowledged deliveries; the channel is reopened (after the
 * connection is back), the prefetch applied again and every consumer re-established. When the broker cancels a
 * consumer (its queue was deleted), the queue is declared again if it was declared through this transport, and
 * the consumer resumes; otherwise the consumer retries until the queue exists again, logging each attempt.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from '@q/core';
import type { Consumer, DeliveryHandler } from '@q/core/adapter';
import { QError } from '@q/core';
import { isClosedError, toQError } from './amqp-errors.js';
import { backoff, type AmqpConnection } from './connection.js';
import { ChannelSettler } from './channel-settler.js';
import { AmqpDelivery } from './delivery.js';
import type { Topology } from './topology.js';

/** What a consumer channel needs from its transport. */
export interface ConsumerChannelHost {
  readonly conn: AmqpConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
}

interface Entry {
  readonly queue: string;
  readonly tag: string;
  readonly handler: DeliveryHandler;
  /** The channel this consumer is registered on, or `null` while it is not consuming. */
  on: Channel | null;
  cancelled: boolean;
  /** A recovery loop is running for this consumer. */
  attaching: boolean;
  /** The broker cancelled it: declare the queue again before consuming. */
  redeclare: boolean;
}

/** AMQP's prefetch count is 16 bits; 0 = no limit. */
const clampPrefetch = (n: number): number => Math.min(65_535, Math.max(0, Math.trunc(n) || 0));

/** Consumers on one channel. */
export class ConsumerChannel {
  readonly #host: ConsumerChannelHost;
  readonly #noAck: boolean;
  readonly #entries = new Map<string, Entry>();
  #prefetch = 0;
  #channel: Channel | null = null;
  /** The settler of each channel (acks of a tick batched, see `channel-settler.ts`). */
  readonly #settlers = new WeakMap<Channel, ChannelSettler>();
  #opening: Promise<Channel> | null = null;
  #closed = false;
  #tags = 0;

  constructor(host: ConsumerChannelHost, noAck: boolean) {
    this.#host = host;
    this.#noAck = noAck;
  }

  /** Current shared prefetch (0 = unlimited). */
  get prefetch(): number {
    return this.#prefetch;
  }

  /** Starts consuming `queue`. The channel's prefetch becomes `prefetch` (shared by all its consumers). */
  async consume(queue: string, handler: DeliveryHandler, options: { prefetch: number; tag?: string }): Promise<Consumer> {
    const { topology, conn } = this.#host;
    if (!topology.knowsQueue(queue) && (await topology.messageCount(queue)) === null) {
      throw new QError('Q_ERR_BROKER_REFUSED', `cannot consume queue "${queue}" on ${conn.where}: it does not exist (declare it first)`);
    }
    const entry: Entry = {
      queue,
      // A consumer tag is a short string (≤ 255 bytes).
      tag: `${Buffer.from(options.tag ?? `q-${queue}`).subarray(0, 200).toString()}#${++this.#tags}`,
      handler,
      on: null,
      cancelled: false,
      attaching: false,
      redeclare: false,
    };
    this.#entries.set(entry.tag, entry);
    let ch: Channel | null = null;
    try {
      await this.setPrefetch(options.prefetch);
      ch = await this.#open();
      await this.#consumeOn(entry, ch);
    } catch (err) {
      if (!isClosedError(err) || this.#closed) {
        this.#entries.delete(entry.tag);
        entry.cancelled = true;
        throw toQError(err, `consume "${queue}"`, conn.where);
      }
      // The channel or connection went away meanwhile: recovery attaches the consumer.
      if (ch) this.#onClose(ch);
      void this.#attach(entry);
    }
    return { queue, cancel: () => this.#cancel(entry), setPrefetch: (n) => this.setPrefetch(n) };
  }

  /** Changes the shared prefetch (no-op for a no-ack channel). Applied again whenever the channel reopens. */
  async setPrefetch(prefetch: number): Promise<void> {
    const n = clampPrefetch(prefetch);
    if (this.#noAck || n === this.#prefetch) return;
    this.#prefetch = n;
    const ch = this.#channel;
    if (!ch) return;
    try {
      await ch.prefetch(n, true);
    } catch (err) {
      if (!isClosedError(err)) throw toQError(err, 'basic.qos', this.#host.conn.where);
      this.#host.logger.debug({ prefetch: n }, 'channel closed while changing the prefetch; it is applied when the channel reopens');
    }
  }

  /** Closes the channel: the broker requeues every unacknowledged delivery. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#entries.values()) entry.cancelled = true;
    this.#entries.clear();
    const ch = this.#channel;
    this.#channel = null;
    if (!ch) return;
    // Acks settled in this tick go out before the channel closes (else the broker would requeue those messages).
    this.#settlers.get(ch)?.flush();
    await ch.close().catch(() => undefined);
  }

  #open(): Promise<Channel> {
    if (this.#channel) return Promise.resolve(this.#channel);
    this.#opening ??= (async () => {
      const model = await this.#host.conn.ready();
      const ch = await model.createChannel();
      let dead = false;
      ch.on('error', (err: Error) => this.#channelError(err));
      ch.on('close', () => {
        dead = true;
        this.#onClose(ch);
      });
      let applied = 0;
      while (!this.#noAck && applied !== this.#prefetch) {
        applied = this.#prefetch;
        await ch.prefetch(applied, true);
      }
      // The channel may have closed between the broker's reply and this line.
      if (dead) throw new Error('channel closed while opening');
      if (this.#closed) {
        await ch.close().catch(() => undefined);
        throw new QError('Q_ERR_CONNECTION_LOST', 'AMQP transport closed', { retryable: false });
      }
      this.#channel = ch;
      return ch;
    })().finally(() => (this.#opening = null));
    return this.#opening;
  }

  #channelError(err: Error): void {
    const { logger, conn } = this.#host;
    if (/acknowledgement .* timed out|consumer[ _]timeout/i.test(err.message)) {
      logger.error(
        { err: err.message },
        `RabbitMQ closed the consuming channel because a delivery stayed unacknowledged longer than its consumer_timeout ` +
          `(a long ETA/countdown, or a long task with acks_late). The unacknowledged messages are requeued and delivered again; ` +
          `raise consumer_timeout on ${conn.where} (see docs/adapters/amqp.md).`,
      );
    } else {
      logger.warn({ err: err.message }, `the broker closed a consuming channel: ${err.message}; reopening it`);
    }
  }

  #onClose(ch: Channel): void {
    if (this.#channel !== ch) return;
    this.#channel = null;
    for (const entry of this.#entries.values()) if (entry.on === ch) entry.on = null;
    if (this.#closed) return;
    // A lost connection closes its channels before it reports itself closed: attach once that has happened, so
    // the attempt waits for the reconnect instead of failing on the dead connection.
    setImmediate(() => {
      for (const entry of this.#entries.values()) void this.#attach(entry);
    });
  }

  async #consumeOn(entry: Entry, ch: Channel): Promise<void> {
    entry.on = ch;
    try {
      await ch.consume(entry.queue, (msg) => this.#onMessage(entry, ch, msg), { consumerTag: entry.tag, noAck: this.#noAck });
    } catch (err) {
      if (entry.on === ch) entry.on = null;
      throw err;
    }
  }

  /** Re-establishes a consumer, retrying with backoff until it consumes, is cancelled, or the transport closes. */
  async #attach(entry: Entry): Promise<void> {
    if (entry.attaching) return;
    entry.attaching = true;
    const { topology, logger, conn } = this.#host;
    try {
      for (let attempt = 0; !entry.cancelled && !this.#closed; attempt++) {
        if (attempt > 0) {
          try {
            await delay(backoff(this.#host.reconnectDelayMs, this.#host.maxReconnectDelayMs, attempt - 1), undefined, { signal: conn.signal });
          } catch {
            return;
          }
        }
        let ch: Channel | null = null;
        try {
          if (entry.redeclare) {
            await topology.redeclareQueue(entry.queue);
            entry.redeclare = false;
          } else if (!topology.knowsQueue(entry.queue) && (await topology.messageCount(entry.queue)) === null) {
            throw new Error(`queue "${entry.queue}" does not exist`);
          }
          ch = await this.#open();
          if (entry.cancelled || entry.on === ch) return;
          // A cancel() during the consume sees `entry.on === ch` and sends basic.cancel after it.
          await this.#consumeOn(entry, ch);
          logger.info({ queue: entry.queue }, `consuming "${entry.queue}" again`);
          return;
        } catch (err) {
          if (entry.cancelled || this.#closed) return;
          // A channel that failed as closed but whose close event was not seen is replaced.
          if (ch && isClosedError(err)) this.#onClose(ch);
          const msg = err instanceof Error ? err.message : String(err);
          logger.warn({ queue: entry.queue, attempt: attempt + 1, err: msg }, `cannot consume "${entry.queue}" yet (${msg}); retrying`);
        }
      }
    } finally {
      entry.attaching = false;
    }
  }

  #onMessage(entry: Entry, ch: Channel, raw: ConsumeMessage | null): void {
    const { logger } = this.#host;
    if (raw === null) {
      if (entry.on === ch) entry.on = null;
      if (entry.cancelled || this.#closed) return;
      entry.redeclare = this.#host.topology.knowsQueue(entry.queue);
      logger.warn(
        { queue: entry.queue },
        `the broker cancelled the consumer of "${entry.queue}" (was the queue deleted?); ${entry.redeclare ? 'declaring it again and ' : ''}consuming again`,
      );
      void this.#attach(entry);
      return;
    }
    let settler = this.#settlers.get(ch);
    if (!settler) this.#settlers.set(ch, (settler = new ChannelSettler(ch)));
    if (!this.#noAck) settler.received(raw.fields.deliveryTag);
    const delivery = new AmqpDelivery(raw, entry.queue, settler, this.#noAck, logger, () => this.#channel === ch);
    if (entry.cancelled) {
      void delivery.nack({ requeue: true });
      return;
    }
    const reject = (error: unknown): void => {
      logger.error({ err: error, queue: entry.queue, deliveryTag: delivery.info.deliveryTag }, 'delivery handler failed; rejecting');
      void delivery.nack({ requeue: false });
    };
    try {
      const result: unknown = entry.handler(delivery);
      if (result instanceof Promise) result.catch(reject);
    } catch (error) {
      reject(error);
    }
  }

  async #cancel(entry: Entry): Promise<void> {
    if (entry.cancelled) return;
    entry.cancelled = true;
    this.#entries.delete(entry.tag);
    const ch = entry.on;
    entry.on = null;
    if (!ch || ch !== this.#channel) return;
    try {
      await ch.cancel(entry.tag);
    } catch (err) {
      this.#host.logger.debug({ err: err instanceof Error ? err.message : String(err), queue: entry.queue }, 'basic.cancel failed (channel closed)');
    }
  }
}
