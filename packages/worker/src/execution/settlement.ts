/**
 * The settlement of one delivery ({@link DeliverySettlement}): acked, requeued or dropped exactly once, whoever asks
 * first (an early ack, the outcome's handling, a revoke); later asks wait for the first.
 */
import type { Delivery } from '@q/core/adapter';

/** How a delivery is settled. */
export type Settlement = 'ack' | 'requeue' | 'drop';

/** Told when the broker refused a settlement (it is logged, never thrown). */
export interface SettlementHost {
  settleFailed(how: Settlement, err: unknown): void;
}

const SETTLED: Promise<void> = Promise.resolve();

/** Settles one delivery once. */
export class DeliverySettlement {
  /** A settlement was asked for (or the delivery needs none). */
  settled = false;
  /** The ack/nack completed (the hot path skips awaiting it again). */
  done = false;
  /** The ack/nack under way (or done); later settles wait for it. */
  #settling: Promise<void> = SETTLED;
  readonly #delivery: Delivery;
  readonly #host: SettlementHost;

  constructor(delivery: Delivery, host: SettlementHost) {
    this.#delivery = delivery;
    this.#host = host;
  }

  /** Settle the delivery once; later calls wait for the first one. Never rejects (the host logs failures). */
  settle(how: Settlement): Promise<void> {
    if (this.settled) return this.#settling;
    this.settled = true;
    // A `then` on the delivery's promise, not an `async` wrapper: one promise less per task on the hot path.
    let call: Promise<void>;
    try {
      call = how === 'ack' ? this.#delivery.ack() : this.#delivery.nack({ requeue: how === 'requeue' });
    } catch (err) {
      call = Promise.reject(err);
    }
    this.#settling = call.then(
      () => {
        this.done = true;
      },
      (err: unknown) => {
        this.#host.settleFailed(how, err);
        this.done = true;
      },
    );
    return this.#settling;
  }

  /** Nothing to send: the delivery is settled elsewhere (the broker took it back, or another path settles it). */
  markSettled(): void {
    this.settled = true;
    this.done = true;
  }
}
