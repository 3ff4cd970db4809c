/**
 * A delivery from an AMQP consumer. `ack` is `basic.ack`, `nack` is `basic.reject(requeue)` (as kombu does).
 * Settling twice does nothing (a second ack would make RabbitMQ close the channel). If the delivery's channel
 * has died (connection lost, channel closed by the broker), the broker has already requeued the message and will
 * redeliver it: settling is then logged at debug level and dropped, never thrown into the worker.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Delivery, DeliveryInfo, Logger, Message } from '@q/core';
import { toDeliveryInfo, toMessage } from './message-mapping.js';

/** How a delivery was settled. */
export type Settlement = 'ack' | 'requeue' | 'reject';

/** One received message. */
export class AmqpDelivery implements Delivery {
  readonly message: Message;
  readonly info: DeliveryInfo;
  readonly #raw: ConsumeMessage;
  readonly #channel: Channel;
  readonly #noAck: boolean;
  readonly #logger: Logger;
  #settled: Settlement | null = null;
  /** The settlement reached a live channel. */
  #sent = false;

  readonly #live: () => boolean;

  /** `live` says whether `channel` is still the consumer's open channel. */
  constructor(raw: ConsumeMessage, queue: string, channel: Channel, noAck: boolean, logger: Logger, live: () => boolean) {
    this.#raw = raw;
    this.#channel = channel;
    this.#live = live;
    this.#noAck = noAck;
    this.#logger = logger;
    this.message = toMessage(raw);
    this.info = toDeliveryInfo(raw, queue);
  }

  /** How it was settled, or `null`. */
  get settled(): Settlement | null {
    return this.#settled;
  }

  /**
   * True when its channel closed before a settlement reached it: the broker requeued the message and delivers it
   * again, so this copy must not run.
   */
  get lost(): boolean {
    return !this.#noAck && !this.#sent && !this.#live();
  }

  /** The amqplib channel it arrived on (for tests that need to break that channel). */
  get channel(): Channel {
    return this.#channel;
  }

  ack(): Promise<void> {
    this.#settle('ack', (ch) => ch.ack(this.#raw));
    return Promise.resolve();
  }

  nack(options: { requeue: boolean }): Promise<void> {
    this.#settle(options.requeue ? 'requeue' : 'reject', (ch) => ch.reject(this.#raw, options.requeue));
    return Promise.resolve();
  }

  #settle(how: Settlement, send: (ch: Channel) => void): void {
    if (this.#settled !== null) return;
    this.#settled = how;
    if (this.#noAck) return;
    try {
      send(this.#channel);
      this.#sent = true;
    } catch (err) {
      this.#logger.debug(
        { err: err instanceof Error ? err.message : String(err), deliveryTag: this.info.deliveryTag, queue: this.info.queue, settle: how },
        'the channel of this delivery is closed; the broker requeued the message and will deliver it again',
      );
    }
  }
}
