/**
 * Events and tasks per second for the monitor, from the counters of a `ClusterState` sampled at each refresh: the
 * rate is the growth over the samples of the last `windowMs` (default 5 s). A counter that goes down (the state was
 * cleared) starts the window again.
 */

/** Rates over the window. */
export interface Rates {
  /** Events received per second. */
  eventsPerSecond: number;
  /** `task-received` events per second. */
  tasksPerSecond: number;
}

interface Sample {
  at: number;
  events: number;
  tasks: number;
}

/** Samples counters and gives their rates; see the module comment. */
export class RateMeter {
  readonly #windowMs: number;
  #samples: Sample[] = [];

  constructor(options: { windowMs?: number } = {}) {
    this.#windowMs = options.windowMs ?? 5000;
  }

  /** Records the counters at `nowMs` and returns the rates over the window. */
  sample(events: number, tasks: number, nowMs: number): Rates {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (last !== undefined && (events < last.events || tasks < last.tasks || nowMs < last.at)) this.#samples = [];
    this.#samples.push({ at: nowMs, events, tasks });
    while (this.#samples.length > 2 && (this.#samples[1]?.at ?? nowMs) <= nowMs - this.#windowMs) this.#samples.shift();
    const oldest = this.#samples[0] ?? first;
    if (oldest === undefined || nowMs - oldest.at <= 0) return { eventsPerSecond: 0, tasksPerSecond: 0 };
    const seconds = (nowMs - oldest.at) / 1000;
    return { eventsPerSecond: (events - oldest.events) / seconds, tasksPerSecond: (tasks - oldest.tasks) / seconds };
  }

  /** Forgets the samples. */
  reset(): void {
    this.#samples = [];
  }
}
