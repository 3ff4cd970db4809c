/**
 * The live subscriptions of a result backend (or its driver), for ending them all when it closes: each
 * subscription registers its end (stop delivering, then call the subscriber's `onEnd`), and `endAll(error)` calls
 * every end once. Shared by the backends that push (memory, Redis, rpc).
 */

/** Ends a subscription with the error the backend closed with. */
export type SubscriptionEnd = (error: Error) => void;

export class LiveSubscriptions {
  readonly #ends = new Set<SubscriptionEnd>();

  /** How many subscriptions are live. */
  get size(): number {
    return this.#ends.size;
  }

  /** Registers a subscription's `end`; returns the function that forgets it (the subscription was removed). */
  add(end: SubscriptionEnd): () => void {
    // Wrapped: the same function registered twice stands for two subscriptions.
    const own: SubscriptionEnd = (error) => end(error);
    this.#ends.add(own);
    return () => void this.#ends.delete(own);
  }

  /**
   * Ends every live subscription with `error`, each once, and forgets them. An end that throws does not keep the
   * others from being ended: its error goes to `onThrow` (ignored without one).
   */
  endAll(error: Error, onThrow?: (err: unknown) => void): void {
    const ending = [...this.#ends];
    this.#ends.clear();
    for (const end of ending) {
      try {
        end(error);
      } catch (err) {
        onThrow?.(err);
      }
    }
  }
}
