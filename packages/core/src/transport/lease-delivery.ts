/**
 * A {@link Delivery} backed by a driver {@link Lease}: `ack` acks the lease, `nack({ requeue: true })` releases it,
 * `nack({ requeue: false })` drops it (acks the lease, as kombu's virtual transports do). Settled at most once:
 * later calls are ignored.
 */
import type { Logger } from '../contracts/logger.js';
import type { Delivery, DeliveryInfo, Message } from '../contracts/message.js';
import type { Lease, QueueDriver } from '../contracts/queue-driver.js';

/** How a delivery was settled. */
export type Settlement = 'ack' | 'requeue' | 'drop' | 'restore';

export class LeaseDelivery implements Delivery {
  readonly message: Message;
  readonly info: DeliveryInfo;
  readonly lease: Lease;
  readonly #driver: QueueDriver;
  readonly #logger: Logger;
  readonly #onSettled: (delivery: LeaseDelivery) => void;
  #settled: Settlement | null = null;

  constructor(init: {
    message: Message;
    info: DeliveryInfo;
    lease: Lease;
    driver: QueueDriver;
    logger: Logger;
    onSettled: (delivery: LeaseDelivery) => void;
  }) {
    this.message = init.message;
    this.info = init.info;
    this.lease = init.lease;
    this.#driver = init.driver;
    this.#logger = init.logger;
    this.#onSettled = init.onSettled;
  }

  /** How this delivery was settled, or `null` while it is in flight. */
  get settled(): Settlement | null {
    return this.#settled;
  }

  ack(): Promise<void> {
    return this.#settle('ack', () => this.#driver.ack(this.lease));
  }

  nack(options: { requeue: boolean }): Promise<void> {
    if (options.requeue) return this.#settle('requeue', () => this.#driver.release(this.lease));
    return this.#settle('drop', async () => {
      this.#logger.warn(
        { queue: this.info.queue, deliveryTag: this.info.deliveryTag },
        'message rejected without requeue: dropped',
      );
      await this.#driver.ack(this.lease);
    });
  }

  /** Give the message back to its queue (transport shutdown). */
  restore(): Promise<void> {
    return this.#settle('restore', () => this.#driver.release(this.lease));
  }

  async #settle(how: Settlement, run: () => Promise<void>): Promise<void> {
    if (this.#settled !== null) {
      this.#logger.debug(
        { queue: this.info.queue, deliveryTag: this.info.deliveryTag, settled: this.#settled, attempted: how },
        'delivery already settled; ignored',
      );
      return;
    }
    this.#settled = how;
    try {
      await run();
    } finally {
      this.#onSettled(this);
    }
  }
}
