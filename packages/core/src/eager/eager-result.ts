/**
 * `EagerResult<T>`: the result of a task run in the calling process (Celery's `EagerResult`), what `task.apply()`
 * returns and what `delay`/`applyAsync` return with `task.alwaysEager`. It is an {@link AsyncResult} (same methods,
 * same types, `instanceof AsyncResult` holds) whose state is known already: nothing is read from a result backend
 * and nothing waits. A failure is kept as the error the task threw: `get()` and `maybeThrow()` throw that error
 * itself (as Celery's eager `get` raises the exception), while `result()` and `get({ propagate: false })` give a
 * `RemoteError` (the type `AsyncResult` promises) whose `cause` is that error.
 */
import type { TaskMeta, TaskState } from '../contracts/result-backend.js';
import { RemoteError, TaskRevokedError } from '../errors/q-error.js';
import { encodeException, encodedTaskRevoked, toRemoteError } from '../protocol/exceptions.js';
import { naiveUtcIso } from '../protocol/time.js';
import { AsyncResult, type GetOptions } from '../result/async-result.js';
import type { ResultBase, ResultHost, ResultRevokeOptions } from '../result/result-base.js';
import { PROPAGATE_STATES } from '../result/states.js';

/** How an eager run ended. */
export interface EagerOutcome {
  /** `SUCCESS`, `FAILURE`, or `IGNORED`/`REJECTED` when the task raised `Ignore`/`Reject`. */
  readonly state: TaskState;
  /** The return value (SUCCESS), or the thrown error (FAILURE). */
  readonly value: unknown;
  /** The traceback of a failure (Python-looking, as a worker stores it), else `null`. */
  readonly traceback: string | null;
  /** Results of what the task sent or applied (its callbacks, the tasks it called), in order. */
  readonly children?: readonly ResultBase[];
}

/** The result of an eager run: see the module comment. */
export class EagerResult<T = unknown> extends AsyncResult<T> {
  #state: TaskState;
  #value: unknown;
  #traceback: string | null;
  readonly #children: readonly ResultBase[];
  #dateDone: string;

  /**
   * @param id The task id.
   * @param outcome How the run ended.
   * @param host The app (for `collect()` and the handles of `children`).
   * @param parent The result this one was chained after, when known.
   */
  constructor(id: string, outcome: EagerOutcome, host: ResultHost, parent: ResultBase | null = null) {
    super(id, host, parent);
    this.#state = outcome.state;
    this.#value = outcome.value;
    this.#traceback = outcome.traceback;
    this.#children = [...(outcome.children ?? [])];
    this.#dateDone = naiveUtcIso(new Date());
  }

  /** The state, known at once (Celery's `EagerResult.state`); `state()` gives the same as a promise. */
  get status(): TaskState {
    return this.#state;
  }

  /** The state document, as a backend would store it (a failure's `result` is the encoded exception). */
  override meta(): Promise<TaskMeta> {
    const failed = PROPAGATE_STATES.includes(this.#state);
    return Promise.resolve({
      taskId: this.id,
      status: this.#state,
      result: failed ? encodeException(this.#value) : (this.#value ?? null),
      traceback: this.#traceback,
      children: this.#children.map((c) => c.asTuple()),
      dateDone: this.#dateDone,
    });
  }

  /** The return value, or for FAILURE/REVOKED a `RemoteError` (not thrown) whose `cause` is the task's error. */
  override result(): Promise<T | unknown> {
    return Promise.resolve(PROPAGATE_STATES.includes(this.#state) ? this.#remoteError() : this.#value);
  }

  /** The traceback of a failure, or `null`. */
  override traceback(): Promise<string | null> {
    return Promise.resolve(this.#traceback);
  }

  /** Results of what the task sent or applied while it ran (callbacks included), as handles. */
  override children(): Promise<ResultBase[]> {
    return Promise.resolve([...this.#children]);
  }

  /** Nothing to remove (Celery's `EagerResult.forget`); with `task.storeEagerResult` the stored copy stays. */
  override forget(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Marks this result REVOKED, here only (Celery's `EagerResult.revoke`): the task ran already, so nothing is sent
   * to any worker. `get()` then throws a `TaskRevokedError`.
   */
  override revoke(_options: ResultRevokeOptions = {}): Promise<void> {
    this.#state = 'REVOKED';
    this.#value = new TaskRevokedError('Q_ERR_TASK_REVOKED', 'revoked');
    this.#traceback = null;
    this.#dateDone = naiveUtcIso(new Date());
    return Promise.resolve();
  }

  /** Throws the task's error when it is FAILURE or REVOKED; does nothing otherwise. */
  override maybeThrow(): Promise<void> {
    return PROPAGATE_STATES.includes(this.#state) ? Promise.reject(this.#value) : Promise.resolve();
  }

  /**
   * The value at once (nothing to wait for): FAILURE and REVOKED throw the task's error itself (`propagate`, the
   * default) or return it as a `RemoteError` (`propagate: false`). `onMessage` sees the state document once;
   * `timeout`, `interval` and `followParents` have nothing to do.
   */
  override get(options: GetOptions & { propagate: false }): Promise<T | RemoteError>;
  override get(options?: GetOptions & { propagate?: true }): Promise<T>;
  override get(options: GetOptions): Promise<T | RemoteError>;
  override async get(options: GetOptions = {}): Promise<T | RemoteError> {
    if (options.onMessage) options.onMessage(await this.meta());
    if (PROPAGATE_STATES.includes(this.#state)) {
      if (options.propagate ?? true) throw this.#value;
      return this.#remoteError();
    }
    return this.#value as T;
  }

  /** The task's error as a `RemoteError` (what a worker-run task's `get({ propagate: false })` gives). */
  #remoteError(): RemoteError {
    if (this.#value instanceof RemoteError) return this.#value;
    const enc = this.#state === 'REVOKED' && !(this.#value instanceof Error) ? encodedTaskRevoked('revoked') : encodeException(this.#value);
    const remote = toRemoteError(enc, this.#traceback, this.id);
    Object.defineProperty(remote, 'cause', { value: this.#value, configurable: true, writable: true });
    return remote;
  }
}
