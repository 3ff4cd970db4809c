/**
 * Collects operations issued in the same turn of the event loop and runs them together on the next one
 * (`setImmediate`), so many acks or publishes cost one round trip.
 */

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Runs a batch; returns one error (or `undefined`) per item, in order. */
export type BatchFlush<T> = (items: readonly T[]) => Promise<readonly unknown[]>;

/** A batcher of items of type `T`. */
export class TickBatcher<T> {
  readonly #flush: BatchFlush<T>;
  readonly #maxBatch: number;
  #pending: Pending<T>[] = [];
  #scheduled = false;
  #running = new Set<Promise<void>>();
  /** The items of the batches under way (for {@link abandon}). */
  #inFlight = new Set<Pending<T>[]>();

  constructor(flush: BatchFlush<T>, maxBatch = 1000) {
    this.#flush = flush;
    this.#maxBatch = maxBatch;
  }

  /** Queue an item; resolves once its batch ran. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#run();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#run());
      }
    });
  }

  /**
   * Fail every item not settled yet with `error`: the queued ones (never run) and those of batches under way
   * (whose outcome, if it ever comes, is then ignored). For an owner giving up on an unreachable server.
   */
  abandon(error: unknown): void {
    const queued = this.#pending;
    this.#pending = [];
    for (const p of queued) p.reject(error);
    for (const batch of this.#inFlight) for (const p of batch) p.reject(error);
    this.#inFlight.clear();
  }

  /** Run what is queued now and wait for every batch in flight. */
  async drain(): Promise<void> {
    this.#run();
    await Promise.allSettled([...this.#running]);
  }

  #run(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#inFlight.add(batch);
    const run = this.#flush(batch.map((p) => p.item)).then(
      (errors) => {
        batch.forEach((p, i) => {
          const error = errors[i];
          if (error === undefined || error === null) p.resolve();
          else p.reject(error);
        });
      },
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
    this.#running.add(run);
    void run.finally(() => {
      this.#running.delete(run);
      this.#inFlight.delete(batch);
    });
  }
}
