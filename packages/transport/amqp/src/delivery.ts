/**
 * A delivery from an AMQP consumer. `ack` is `basic.ack`, `nack` is `basic.reject(requeue)` (as kombu does); the
 * channel's {@link ChannelSettler} sends them at the end of the tick, the acks of a tick that cover the oldest
 * unsettled deliveries as one `basic.ack` with `multiple=true`.
 * Settling twice does nothing (a second ack would make RabbitMQ close the channel). If the delivery's channel
 * has died (connection lost, channel closed by the broker), the broker has already requeued the message and will
 * redeliver it: settling is then logged at debug level and dropped, never thrown into the worker.
 */
import type { ConsumeMessage } from 'amqplib';
import type { Logger } from '@q/core';
import type { Delivery, DeliveryInfo, Message } from '@q/core/adapter';
import type { ChannelSettler, SettleChannel, Settlement } from './channel-settler.js';
import { toDeliveryInfo, toMessage } from './message-mapping.js';

export type { Settlement } from './channel-settler.js';

/** One received message. */
export class AmqpDelivery implements Delivery {
  readonly message: Message;
  readonly info: DeliveryInfo;
  readonly #raw: ConsumeMessage;
  readonly #settler: ChannelSettler;
  readonly #noAck: boolean;
  readonly #logger: Logger;
  #settled: Settlement | null = null;
  /** The settlement reached a live channel. */
  #sent = false;

  readonly #live: () => boolean;

  /**
   * `settler` is the settler of the channel it arrived on (told of the delivery already unless `noAck`); `live`
   * says whether that channel is still the consumer's open channel.
   */
  constructor(raw: ConsumeMessage, queue: string, settler: ChannelSettler, noAck: boolean, logger: Logger, live: () => boolean) {
    this.#raw = raw;
    this.#settler = settler;
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
  get channel(): SettleChannel {
    return this.#settler.channel;
  }

  /** Acknowledges it (sent at the end of the tick; resolves at once). */
  ack(): Promise<void> {
    this.#settle('ack');
    return Promise.resolve();
  }

  /** Rejects it, requeued or not (sent at the end of the tick; resolves at once). */
  nack(options: { requeue: boolean }): Promise<void> {
    this.#settle(options.requeue ? 'requeue' : 'reject');
    return Promise.resolve();
  }

  #settle(how: Settlement): void {
    if (this.#settled !== null) return;
    this.#settled = how;
    if (this.#noAck) return;
    this.#settler.settle(this.#raw, how, (err) => {
      if (err === null) {
        this.#sent = true;
        return;
      }
      this.#logger.debug(
        { err: err instanceof Error ? err.message : String(err), deliveryTag: this.info.deliveryTag, queue: this.info.queue, settle: how },
        'the channel of this delivery is closed; the broker requeued the message and will deliver it again',
      );
    });
  }
}
