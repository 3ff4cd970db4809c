/**
 * Celery's logical clock (kombu's `LamportClock`): a counter every node moves forward on its own events and
 * past any value it hears from another node, so that events of a cluster can be ordered. The app keeps one
 * (`app.clock`, Celery's): remote-control requests are stamped with it and replies move it forward. The worker keeps
 * its own (`worker.clock`), saves it in its state db, and stamps its replies and events with it.
 */

/** A Lamport clock. */
export class LamportClock {
  #value: number;

  constructor(initial = 0) {
    this.#value = initial;
  }

  get value(): number {
    return this.#value;
  }

  /** Another node's clock was `other`: move past it (and past our own value). Returns the new value. */
  adjust(other: number): number {
    this.#value = Math.max(this.#value, other) + 1;
    return this.#value;
  }

  /** A local event: one tick. Returns the new value. */
  forward(): number {
    this.#value += 1;
    return this.#value;
  }
}
