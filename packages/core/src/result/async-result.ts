/**
 * `AsyncResult<T>`: the handle of a sent task (Celery's `AsyncResult`). Reads the task's state from the
 * result backend; `get()` waits for a final state, by the backend's push (`watch`) when it has one, by
 * polling otherwise.
 */
import { appModuleLoading } from '../config/app-module-loading.js';
import type { ResultBackend, TaskMeta, TaskState } from '../contracts/result-backend.js';
import { BackendError, QError, TimeoutError, type RemoteError } from '../errors/q-error.js';
import { encodeException, encodedTaskRevoked, isEncodedException, toRemoteError } from '../protocol/exceptions.js';
import { EXCEPTION_STATES, PROPAGATE_STATES, isReady } from './states.js';

/** What a result needs from the app. */
export interface ResultHost {
  /** The app's result settings this handle reads (`result.pollInterval`, seconds). */
  readonly conf: { readonly result: { readonly pollInterval: number } };
  /** The backend, or `null` when results are disabled (`backend: null`). */
  getBackend(): Promise<ResultBackend | null>;
  /** Aborts when the host closes its connections: a `get()` waiting then rejects with the abort reason. */
  readonly closeSignal?: AbortSignal;
}

/** Options of {@link AsyncResult.get}. */
export interface GetOptions {
  /** Seconds to wait before throwing a `TimeoutError` (default: forever). */
  timeout?: number;
  /**
   * Throw the task's error for FAILURE/REVOKED (default true); `false` returns it instead, as a `RemoteError`
   * (so `get()` is then typed `Promise<T | RemoteError>`).
   */
  propagate?: boolean;
  /** Poll interval in seconds for backends without push (default `result.pollInterval`). */
  interval?: number;
  /** Abort the wait. */
  signal?: AbortSignal;
}

/** The PENDING meta Celery reports for an id with nothing stored. */
export function pendingMeta(taskId: string): TaskMeta {
  return { taskId, status: 'PENDING', result: null, traceback: null, children: [], dateDone: null };
}

/** The result of one task. */
export class AsyncResult<T = unknown> {
  readonly id: string;
  /** The result of the task that sent this one, when known. */
  readonly parent: AsyncResult | null;
  readonly #host: ResultHost;

  constructor(id: string, host: ResultHost, parent: AsyncResult | null = null) {
    this.id = id;
    this.#host = host;
    this.parent = parent;
  }

  async #backend(): Promise<ResultBackend> {
    const backend = await this.#host.getBackend();
    if (!backend) {
      throw new BackendError('Q_ERR_BACKEND_DISABLED', `no result backend is configured (backend: null), so the result of ${this.id} cannot be read`);
    }
    return backend;
  }

  /** The stored state document (PENDING when nothing is stored). */
  async meta(): Promise<TaskMeta> {
    return (await (await this.#backend()).getTaskMeta(this.id)) ?? pendingMeta(this.id);
  }

  async state(): Promise<TaskState> {
    return (await this.meta()).status;
  }

  /** True once the task is SUCCESS, FAILURE or REVOKED. */
  async ready(): Promise<boolean> {
    return isReady(await this.state());
  }

  async successful(): Promise<boolean> {
    return (await this.state()) === 'SUCCESS';
  }

  async failed(): Promise<boolean> {
    return (await this.state()) === 'FAILURE';
  }

  /** The return value, or for RETRY/FAILURE/REVOKED the error as a `RemoteError` (not thrown). */
  async result(): Promise<T | unknown> {
    return this.#value(await this.meta());
  }

  async traceback(): Promise<string | null> {
    return (await this.meta()).traceback;
  }

  /** Results of tasks this task sent (callbacks, the next chain step), from the stored `children` tuples. */
  async children(): Promise<AsyncResult[]> {
    const out: AsyncResult[] = [];
    for (const tuple of (await this.meta()).children) out.push(...resultsFromTuple(tuple, this.#host));
    return out;
  }

  /** Removes the stored result. */
  async forget(): Promise<void> {
    await (await this.#backend()).forget(this.id);
  }

  /**
   * Waits for the task to finish and returns its result. FAILURE and REVOKED throw a `RemoteError` with the
   * remote type, message and traceback (REVOKED: type `TaskRevokedError`); with `propagate: false` that
   * `RemoteError` is returned instead (the return type says so).
   * A wait on a backend's push fails when the backend ends it: `app.close()` while `get()` waits rejects it at
   * once with the backend's error (Redis, rpc, memory: `ConnectionError` `Q_ERR_CONNECTION_LOST`).
   * @throws QError `Q_ERR_WAIT_DURING_IMPORT` at once while a `q` command imports the app module (top-level code
   *   waiting for a worker that starts only after the import); TimeoutError `Q_ERR_TIMEOUT` after `timeout`
   *   seconds; BackendError `Q_ERR_BACKEND_DISABLED`; ConnectionError `Q_ERR_CONNECTION_LOST` when the backend
   *   closes (or loses the subscription for good) meanwhile.
   */
  get(options: GetOptions & { propagate: false }): Promise<T | RemoteError>;
  get(options?: GetOptions & { propagate?: true }): Promise<T>;
  get(options: GetOptions): Promise<T | RemoteError>;
  async get(options: GetOptions = {}): Promise<T | RemoteError> {
    this.#refuseDuringImport();
    const backend = await this.#backend();
    const meta = await this.#waitReady(backend, options);
    if (PROPAGATE_STATES.includes(meta.status)) {
      const error = this.#error(meta);
      if (options.propagate ?? true) throw error;
      return error;
    }
    return this.#value(meta) as T;
  }

  /**
   * `q worker` imports the app module before it consumes anything, so a wait in that module's top-level code
   * (`await (await add.delay(2, 2)).get()`) would wait for a worker that cannot start until the wait ends.
   */
  #refuseDuringImport(): void {
    const loading = appModuleLoading();
    if (loading === null) return;
    throw new QError(
      'Q_ERR_WAIT_DURING_IMPORT',
      `result.get() was called for task ${this.id} while \`q ${loading.command}\` is importing the app module ${loading.module}: ` +
        `\`q ${loading.command}\` starts only after that import finishes, so this wait could never end (no worker consumes yet). ` +
        'Do not wait for results at the top level of the app module: send tasks and wait for their results from a ' +
        'client module (e.g. client.ts, run on its own), or inside a function called later.',
    );
  }

  async #waitReady(backend: ResultBackend, options: GetOptions): Promise<TaskMeta> {
    const deadline = options.timeout === undefined ? null : Date.now() + options.timeout * 1000;
    // A push backend ends its waits itself when it closes (`onEnd`, naming the backend); a poll ends with the app.
    if (backend.capabilities.push && backend.watch) return this.#watch(backend, backend.watch.bind(backend), deadline, options.signal);
    const closed = this.#host.closeSignal;
    const signal = closed && options.signal ? AbortSignal.any([options.signal, closed]) : (options.signal ?? closed);
    const intervalMs = (options.interval ?? this.#host.conf.result.pollInterval) * 1000;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const meta = (await backend.getTaskMeta(this.id)) ?? pendingMeta(this.id);
      if (isReady(meta.status)) return meta;
      if (signal?.aborted) throw signal.reason;
      const left = deadline === null ? intervalMs : deadline - Date.now();
      if (left <= 0) throw this.#timeout();
      await sleep(Math.min(intervalMs, left), signal);
    }
  }

  async #watch(
    backend: ResultBackend,
    watch: NonNullable<ResultBackend['watch']>,
    deadline: number | null,
    signal: AbortSignal | undefined,
  ): Promise<TaskMeta> {
    let settle: ((meta: TaskMeta) => void) | null = null;
    const arrived = new Promise<TaskMeta>((resolve) => {
      settle = resolve;
    });
    // The backend ended the subscription (it closed, or lost it for good): the wait fails with its error.
    let end: ((error: Error) => void) | null = null;
    const ended = new Promise<never>((_, reject) => {
      end = reject;
    });
    ended.catch(() => undefined); // raced below, or not at all when the first read finds the result
    // Subscribe and read the stored state at the same time (one round trip, not two, when the task is done).
    const subscribing = watch(
      this.id,
      (meta) => {
        if (isReady(meta.status)) settle?.(meta);
      },
      (error) => end?.(error),
    );
    // Handled now: the subscription may fail while the read below is pending (the app closing in the same turn),
    // which must not be an unhandled rejection. `await subscribing` below still throws its error.
    subscribing.catch(() => undefined);
    let early: TaskMeta | null;
    try {
      early = await backend.getTaskMeta(this.id);
    } catch (err) {
      await dropWatch(subscribing);
      throw err;
    }
    if (early && isReady(early.status)) {
      // Nothing to wait for. The subscription is ended as soon as it is made; its confirmation is not waited for.
      void dropWatch(subscribing);
      return early;
    }
    const unsubscribe = await subscribing;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      // That read may have run before the subscription was active: read again now that it is (no lost result).
      // Whichever comes first wins: that read finding the result, or the result's message.
      const reread = backend.getTaskMeta(this.id).then((stored) => (stored && isReady(stored.status) ? stored : arrived));
      const racers: Promise<TaskMeta>[] = [arrived, reread, ended];
      if (deadline !== null) {
        racers.push(
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(this.#timeout()), Math.max(0, deadline - Date.now()));
          }),
        );
      }
      if (signal) {
        racers.push(
          new Promise<never>((_, reject) => {
            onAbort = () => reject(signal.reason);
            if (signal.aborted) onAbort();
            else signal.addEventListener('abort', onAbort, { once: true });
          }),
        );
      }
      return await Promise.race(racers);
    } finally {
      if (timer) clearTimeout(timer);
      if (signal && onAbort) signal.removeEventListener('abort', onAbort);
      // The listener is gone now; the backend's UNSUBSCRIBE goes out in this turn, its reply is not waited for
      // (it is not on the caller's path; a backend closed meanwhile has nothing left to end).
      void dropWatch(Promise.resolve(unsubscribe));
    }
  }

  #timeout(): TimeoutError {
    return new TimeoutError('Q_ERR_TIMEOUT', `timed out waiting for the result of task ${this.id}`, { retryable: true });
  }

  #error(meta: TaskMeta): RemoteError {
    if (isEncodedException(meta.result)) return toRemoteError(meta.result, meta.traceback, this.id);
    // A failed state without an exception document: REVOKED is Celery's `TaskRevokedError('revoked')`, any other
    // state an `Exception` with the result's text.
    const enc = meta.status === 'REVOKED' ? encodedTaskRevoked('revoked') : encodeException(String(meta.result));
    return toRemoteError(enc, meta.traceback, this.id);
  }

  #value(meta: TaskMeta): unknown {
    if (EXCEPTION_STATES.includes(meta.status) && isEncodedException(meta.result)) {
      return toRemoteError(meta.result, meta.traceback, this.id);
    }
    return meta.result;
  }

  toString(): string {
    return this.id;
  }
}

/**
 * Results from a stored result tuple: `[[id, parent], null]` is one task; a group `[[gid, parent], [members…]]`
 * yields its members.
 */
export function resultsFromTuple(tuple: unknown, host: ResultHost): AsyncResult[] {
  if (!Array.isArray(tuple) || tuple.length !== 2) return [];
  const [head, members] = tuple as [unknown, unknown];
  if (Array.isArray(members)) return members.flatMap((m) => resultsFromTuple(m, host));
  if (!Array.isArray(head) || typeof head[0] !== 'string') return [];
  const parent = head[1] == null ? null : (resultsFromTuple(head[1], host)[0] ?? null);
  return [new AsyncResult(head[0], host, parent)];
}

/** Ends a subscription that is no longer needed, whether or not it was set up. */
async function dropWatch(subscribing: Promise<() => Promise<void>>): Promise<void> {
  try {
    await (await subscribing)();
  } catch {
    // The subscription failed or the backend is closing: there is nothing left to end.
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
