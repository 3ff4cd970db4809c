/**
 * A {@link Delivery} backed by a driver {@link Lease}: `ack` acks the lease, `nack({ requeue: true })` releases it,
 * `nack({ requeue: false })` hands it to the driver's `reject` (SQS: its dead-letter queue) or, for drivers without
 * one, drops it (acks the lease, as kombu's virtual transports do). Settled at most once: later calls are ignored.
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
  readonly #onSettling: ((delivery: LeaseDelivery) => void) | undefined;
  readonly #onSettled: (delivery: LeaseDelivery) => void;
  #settled: Settlement | null = null;

  constructor(init: {
    message: Message;
    info: DeliveryInfo;
    lease: Lease;
    driver: QueueDriver;
    logger: Logger;
    /** Called when settling starts (the ack, reject or release was asked for; the driver call is under way). */
    onSettling?: (delivery: LeaseDelivery) => void;
    /** Called once the driver call is done (or failed). */
    onSettled: (delivery: LeaseDelivery) => void;
  }) {
    this.message = init.message;
    this.info = init.info;
    this.lease = init.lease;
    this.#driver = init.driver;
    this.#logger = init.logger;
    this.#onSettling = init.onSettling;
    this.#onSettled = init.onSettled;
  }

  /** How this delivery was settled, or `null` while it is in flight. */
  get settled(): Settlement | null {
    return this.#settled;
  }

  ack(): Promise<void> {
    return this.#settle('ack');
  }

  nack(options: { requeue: boolean }): Promise<void> {
    return this.#settle(options.requeue ? 'requeue' : 'drop');
  }

  /** Give the message back to its queue (transport shutdown). */
  restore(): Promise<void> {
    return this.#settle('restore');
  }

  async #settle(how: Settlement): Promise<void> {
    if (this.#settled !== null) {
      this.#logger.debug(
        { queue: this.info.queue, deliveryTag: this.info.deliveryTag, settled: this.#settled, attempted: how },
        'delivery already settled; ignored',
      );
      return;
    }
    this.#settled = how;
    try {
      this.#onSettling?.(this);
      await this.#apply(how);
    } finally {
      this.#onSettled(this);
    }
  }

  /** The driver call that settles the lease `how`. */
  #apply(how: Settlement): Promise<void> {
    switch (how) {
      case 'ack':
        return this.#driver.ack(this.lease);
      case 'drop':
        if (this.#driver.reject) return this.#driver.reject(this.lease, { kind: 'rejected', detail: 'rejected without requeue' });
        this.#logger.warn({ queue: this.info.queue, deliveryTag: this.info.deliveryTag }, 'message rejected without requeue: dropped');
        return this.#driver.ack(this.lease);
      case 'requeue':
      case 'restore':
        return this.#driver.release(this.lease);
    }
  }
}
