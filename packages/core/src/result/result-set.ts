/**
 * `ResultSet<T>`: a collection of results read and waited for together (Celery's `ResultSet`), the base of
 * `GroupResult`. Its states are read in one round trip when the backend has `getMany`, and `join()` waits for
 * thousands of members at the cost of a few: one batch read, then either one subscription per unfinished member
 * and one more batch read (push backends), or one batch read of the unfinished members per poll.
 */
import type { ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { BackendError, RemoteError, TimeoutError } from '../errors/q-error.js';
import { changesOnly, metaError, metaValue, pendingMeta, refuseWaitDuringImport } from './meta-outcome.js';
import type { ResultBase, ResultHost, ResultRevokeOptions, WaitOptions } from './result-base.js';
import { revokeResults } from './revoke.js';
import { PROPAGATE_STATES, isReady } from './states.js';
import { dropWatch, sleep } from './wait-for-meta.js';

/** The members of a set whose values are `T`: one result handle per value, in order. */
export type ResultMembers<T extends readonly unknown[]> = { -readonly [K in keyof T]: ResultBase<T[K]> };

/** What `join({ propagate: false })` returns: each member's value, or its error in its place. */
export type SettledValues<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] | RemoteError };

/** Options of {@link ResultSet.join}: `timeout` is the budget of the whole join. */
export type JoinOptions = WaitOptions;

/** A collection of results, waited for together. */
export class ResultSet<T extends readonly unknown[] = unknown[]> {
  /** The members, in order. */
  readonly results: ResultMembers<T>;
  readonly #host: ResultHost;

  /**
   * @param results The members, in order (copied).
   * @param host Where the members' states are read from (the app).
   */
  constructor(results: ResultMembers<T>, host: ResultHost) {
    this.results = [...results] as ResultMembers<T>;
    this.#host = host;
  }

  /** The members as a plain array. */
  get #members(): ResultBase[] {
    return this.results as ResultBase[];
  }

  /** Adds `result` as the last member; does nothing when a member has its id already. */
  add(result: ResultBase): void {
    if (!this.#members.some((m) => m.id === result.id)) this.#members.push(result);
  }

  /** Removes the member with `result`'s id (or with that id); does nothing when there is none. */
  discard(result: ResultBase | string): void {
    const id = typeof result === 'string' ? result : result.id;
    const at = this.#members.findIndex((m) => m.id === id);
    if (at !== -1) this.#members.splice(at, 1);
  }

  /** True once every member is SUCCESS, FAILURE or REVOKED. */
  async ready(): Promise<boolean> {
    return (await this.#each((meta) => isReady(meta.status), (m) => m.ready())).every(Boolean);
  }

  /** True when every member is SUCCESS. */
  async successful(): Promise<boolean> {
    return (await this.#each((meta) => meta.status === 'SUCCESS', (m) => m.successful())).every(Boolean);
  }

  /** True when any member is FAILURE. */
  async failed(): Promise<boolean> {
    return (await this.#each((meta) => meta.status === 'FAILURE', (m) => m.failed())).some(Boolean);
  }

  /** True while any member is not ready. */
  async waiting(): Promise<boolean> {
    return !(await this.ready());
  }

  /** How many members are SUCCESS (Celery's `completed_count`: failed ones do not count). */
  async completedCount(): Promise<number> {
    return (await this.#each((meta) => meta.status === 'SUCCESS', (m) => m.successful())).filter(Boolean).length;
  }

  /** Throws the error of the first member, in order, that is FAILURE or REVOKED; does nothing otherwise. */
  async maybeThrow(): Promise<void> {
    const errors = await this.#each<RemoteError | null>(
      (meta, id) => (PROPAGATE_STATES.includes(meta.status) ? metaError(meta, id) : null),
      async (m) => {
        try {
          await m.maybeThrow();
          return null;
        } catch (error) {
          if (error instanceof RemoteError) return error;
          throw error;
        }
      },
    );
    const first = errors.find((e) => e !== null);
    if (first) throw first;
  }

  /**
   * Revokes every member in one request (Celery's `ResultSet.revoke`); a member that is a group counts with its own
   * members' ids. Options as `AsyncResult.revoke`.
   * @example await group.revoke({ terminate: true })
   */
  revoke(options: ResultRevokeOptions = {}): Promise<void> {
    return revokeResults(this.#host, this.#taskIds(), options);
  }

  /** The task ids of the members, a nested group's members included. */
  #taskIds(): string[] {
    return this.#members.flatMap((m) => (m instanceof ResultSet ? m.#taskIds() : [m.id]));
  }

  /** Removes every member's stored result. */
  async forget(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.forget()));
  }

  /** Same as {@link ResultSet.join} (Celery's `get`). */
  get(options: JoinOptions & { propagate: false }): Promise<SettledValues<T>>;
  get(options?: JoinOptions & { propagate?: true }): Promise<T>;
  get(options: JoinOptions): Promise<T | SettledValues<T>>;
  get(options: JoinOptions = {}): Promise<T | SettledValues<T>> {
    return this.join(options);
  }

  /**
   * Waits for every member and returns their values in order. With `propagate` (the default) the first failure
   * throws as soon as it is known: the FAILURE/REVOKED member with the lowest index among those seen failed (a
   * later member's failure is not held back behind an earlier member that is still running); with
   * `propagate: false` each failure is a `RemoteError` in its member's place. `timeout` is the budget of the whole
   * join. `onMessage` sees every member's state changes.
   * @throws QError `Q_ERR_WAIT_DURING_IMPORT` while a `q` command imports the app module; TimeoutError
   *   `Q_ERR_TIMEOUT` naming how many members were ready; BackendError `Q_ERR_BACKEND_DISABLED`; the backend's error
   *   when it closes meanwhile; the signal's reason when `signal` aborts.
   */
  join(options: JoinOptions & { propagate: false }): Promise<SettledValues<T>>;
  join(options?: JoinOptions & { propagate?: true }): Promise<T>;
  join(options: JoinOptions): Promise<T | SettledValues<T>>;
  async join(options: JoinOptions = {}): Promise<T | SettledValues<T>> {
    refuseWaitDuringImport(`join() was called for ${this.describe()}`);
    const members = [...this.#members];
    if (members.length === 0) return [] as unknown as T;
    const backend = await this.#backend();
    return (await joinMembers(backend, this.#host, members, options, () => this.describe())) as unknown as T;
  }

  /** The set, for messages: `a result set of <n> results`. */
  protected describe(): string {
    return `a result set of ${this.results.length} results`;
  }

  async #backend(): Promise<ResultBackend> {
    const backend = await this.#host.getBackend();
    if (!backend) {
      throw new BackendError('Q_ERR_BACKEND_DISABLED', `no result backend is configured (backend: null), so ${this.describe()} cannot be read`);
    }
    return backend;
  }

  /** One answer per member: from its stored document for a task (all read in one batch), from `group` for a group. */
  async #each<R>(task: (meta: TaskMeta, id: string) => R, group: (member: ResultBase) => Promise<R>): Promise<R[]> {
    const members = [...this.#members];
    const tasks = members.flatMap((m, i) => (m.kind === 'task' ? [i] : []));
    const metas = tasks.length === 0 ? [] : await readMetas(await this.#backend(), tasks.map((i) => members[i]!.id));
    const byIndex = new Map(tasks.map((i, k) => [i, metas[k] ?? null]));
    return Promise.all(
      members.map(async (m, i) => {
        if (m.kind !== 'task') return group(m);
        return task(byIndex.get(i) ?? pendingMeta(m.id), m.id);
      }),
    );
  }
}

/** The stored documents of `ids`, in order: one `getMany` round trip when the backend has it. */
async function readMetas(backend: ResultBackend, ids: readonly string[]): Promise<(TaskMeta | null)[]> {
  if (backend.getMany) return backend.getMany(ids);
  return Promise.all(ids.map((id) => backend.getTaskMeta(id)));
}

/** The join itself (see {@link ResultSet.join}). */
async function joinMembers(
  backend: ResultBackend,
  host: ResultHost,
  members: readonly ResultBase[],
  options: JoinOptions,
  describe: () => string,
): Promise<unknown[]> {
  const propagate = options.propagate ?? true;
  const intervalMs = (options.interval ?? host.conf.result.pollInterval) * 1000;
  const n = members.length;
  const values: unknown[] = new Array<unknown>(n);
  const done: boolean[] = new Array<boolean>(n).fill(false);
  let doneCount = 0;
  const observers = new Map<number, (meta: TaskMeta, ready: boolean) => void>();
  const observe = (i: number, meta: TaskMeta, ready: boolean): void => {
    if (!options.onMessage) return;
    let observer = observers.get(i);
    if (!observer) {
      observer = changesOnly(options.onMessage);
      observers.set(i, observer);
    }
    observer(meta, ready);
  };

  // The join ends once: every member done (`finish`), or a failure, timeout, abort or backend error (`fail`).
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const outcome = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  outcome.catch(() => undefined);
  /** Ends every member wait (subscriptions, polls, nested joins) once the join is over. */
  const stop = new AbortController();
  const signals = [stop.signal, options.signal, host.closeSignal].filter((s): s is AbortSignal => s !== undefined);
  const signal = AbortSignal.any(signals);
  const onAbort = (): void => {
    if (!stop.signal.aborted) fail((options.signal?.aborted ? options.signal : host.closeSignal)?.reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();

  /** Records member `i`'s final value; with `propagate`, a failure ends the join with its error. */
  let firstFailure: { index: number; error: unknown } | null = null;
  const settle = (i: number, value: unknown, failure: unknown = undefined): void => {
    if (done[i]) return;
    done[i] = true;
    doneCount++;
    values[i] = value;
    if (failure !== undefined && propagate && (firstFailure === null || i < firstFailure.index)) firstFailure = { index: i, error: failure };
  };
  /** After a batch of settles: fail with the first failure, or finish when all are done. */
  const check = (): void => {
    if (firstFailure) fail(firstFailure.error);
    else if (doneCount === n) finish();
  };
  const settleMeta = (i: number, meta: TaskMeta): void => {
    const failed = PROPAGATE_STATES.includes(meta.status);
    const value = failed ? metaError(meta, members[i]!.id) : metaValue(meta, members[i]!.id);
    settle(i, value, failed ? value : undefined);
  };
  /** Reads the documents of the unfinished task members in one batch and settles the ready ones. */
  const readBatch = async (indexes: readonly number[]): Promise<void> => {
    const metas = await readMetas(backend, indexes.map((i) => members[i]!.id));
    indexes.forEach((i, k) => {
      const meta = metas[k];
      if (!meta || done[i]) return;
      const ready = isReady(meta.status);
      observe(i, meta, ready);
      if (ready) settleMeta(i, meta);
    });
    check();
  };
  const pendingTasks = (): number[] => members.flatMap((m, i) => (m.kind === 'task' && !done[i] ? [i] : []));

  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeout !== undefined) {
    timer = setTimeout(
      () =>
        fail(
          new TimeoutError('Q_ERR_TIMEOUT', `timed out waiting for ${describe()}: ${doneCount} of ${n} results ready`, {
            retryable: true,
          }),
        ),
      Math.max(0, options.timeout * 1000),
    );
  }
  const unsubscribes: Promise<() => Promise<void>>[] = [];
  try {
    // Nested groups join on their own, in parallel; their failures (with `propagate`) are this join's.
    members.forEach((m, i) => {
      if (m.kind === 'task') return;
      const nested: WaitOptions = { propagate, interval: intervalMs / 1000, signal };
      if (options.onMessage) nested.onMessage = options.onMessage;
      m.get(nested).then(
        (value) => {
          settle(i, value);
          check();
        },
        (error: unknown) => {
          if (stop.signal.aborted) return;
          if (propagate && error instanceof RemoteError) {
            settle(i, error, error);
            check();
          } else fail(error);
        },
      );
    });
    const run = async (): Promise<void> => {
      const first = pendingTasks();
      if (first.length > 0) await readBatch(first);
      const watch = backend.capabilities.push && backend.watch ? backend.watch.bind(backend) : null;
      if (watch) {
        const waiting = pendingTasks();
        if (waiting.length === 0 || signal.aborted) return;
        for (const i of waiting) {
          const subscribing = watch(
            members[i]!.id,
            (meta) => {
              if (done[i] || stop.signal.aborted) return;
              try {
                const ready = isReady(meta.status);
                observe(i, meta, ready);
                if (ready) settleMeta(i, meta);
                check();
              } catch (error) {
                fail(error);
              }
            },
            (error) => fail(error),
          );
          subscribing.catch(() => undefined);
          unsubscribes.push(subscribing);
        }
        await Promise.all(unsubscribes);
        // A member may have finished before its subscription was active: read the rest again (no lost result).
        const rest = pendingTasks();
        if (rest.length > 0 && !signal.aborted) await readBatch(rest);
        return;
      }
      for (;;) {
        const rest = pendingTasks();
        if (rest.length === 0 || signal.aborted) return;
        await sleep(intervalMs, signal);
        if (signal.aborted) return;
        await readBatch(pendingTasks());
      }
    };
    run().catch((error: unknown) => fail(error));
    await outcome;
    return values;
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
    for (const subscribing of unsubscribes) void dropWatch(subscribing);
  }
}

