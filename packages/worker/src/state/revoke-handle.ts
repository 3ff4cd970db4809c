/**
 * The `signal` the worker hands `pool.run` for each job so that a revoke with `terminate` can stop it.
 *
 * It is shaped as an `AbortSignal` but is not one: creating a real `AbortSignal` costs ~7 µs in Node 20, a
 * quarter of what a no-op task costs the async pool end to end, for a signal that almost never fires. This
 * object costs what a small object costs. Pools use the members `PoolRunOptions.signal` documents: `aborted`,
 * `reason`, `addEventListener('abort', …)`/`removeEventListener` (`throwIfAborted` and `onabort` work too);
 * it is not an `EventTarget` (`AbortSignal.any` does not take it).
 */

type AbortListener = ((event: Event) => void) | { handleEvent(event: Event): void };

function call(listener: AbortListener, event: Event): void {
  if (typeof listener === 'function') listener(event);
  else listener.handleEvent(event);
}

/** An `AbortSignal`-shaped handle on one job; see the module comment. */
export class RevokeHandle {
  /** The task id of the job. */
  readonly taskId: string;
  /** The job itself (what `worker.requests()` describes), when it was given. */
  readonly job: unknown;
  /** Neighbours in {@link RunningTasks}' list (no hashing per job: a revoke walks the list instead). */
  prev: RevokeHandle | null = null;
  next: RevokeHandle | null = null;
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: Event) => void) | null = null;
  /** One listener (the usual case: the pool's), or several. */
  #listeners: AbortListener | AbortListener[] | null = null;

  constructor(taskId: string, job: unknown = null) {
    this.taskId = taskId;
    this.job = job;
  }

  /** A pool listens: the job holds a slot (pools listen once a job starts, not while it waits for one). */
  get listening(): boolean {
    return this.#listeners !== null;
  }

  addEventListener(type: string, listener: AbortListener | null, options?: boolean | { once?: boolean; signal?: AbortSignal }): void {
    if (type !== 'abort' || listener === null) return;
    if (typeof options === 'object' && options.signal?.aborted === true) return;
    const current = this.#listeners;
    if (current === null) this.#listeners = listener;
    else if (Array.isArray(current)) current.push(listener);
    else this.#listeners = [current, listener];
  }

  removeEventListener(type: string, listener: AbortListener | null): void {
    if (type !== 'abort' || listener === null) return;
    const current = this.#listeners;
    if (current === listener) this.#listeners = null;
    else if (Array.isArray(current)) {
      const i = current.indexOf(listener);
      if (i !== -1) current.splice(i, 1);
      if (current.length === 0) this.#listeners = null;
    }
  }

  dispatchEvent(): boolean {
    return true;
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Abort with `reason`: every listener is called once, then dropped. Later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = null;
    const event = new Event('abort');
    this.onabort?.(event);
    if (listeners === null) return;
    for (const listener of Array.isArray(listeners) ? listeners : [listeners]) call(listener, event);
  }

  /** This handle as the `signal` of `PoolRunOptions`. */
  asSignal(): AbortSignal {
    return this as unknown as AbortSignal;
  }
}
