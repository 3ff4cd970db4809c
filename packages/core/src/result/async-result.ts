/**
 * `AsyncResult<T>`: the handle of a sent task (Celery's `AsyncResult`). Reads the task's state from the
 * result backend; `get()` waits for a final state, by the backend's push (`watch`) when it has one, by
 * polling otherwise, and meanwhile fails early when a parent failed (`followParents`). `collect()` walks the
 * task's result graph (its stored `children`), and {@link resultFromTuple} rebuilds a handle, a group's included,
 * from Celery's result tuple.
 */
import type { ResultBackend, TaskMeta, TaskState } from '../contracts/result-backend.js';
import { BackendError, ProtocolError, TimeoutError, type RemoteError } from '../errors/q-error.js';
import { readResultTuple, resultTuple, type ResultTuple } from '../protocol/result-document.js';
import { GroupResult } from './group-result.js';
import { changesOnly, metaError, metaValue, pendingMeta, refuseWaitDuringImport } from './meta-outcome.js';
import type { ResultBase, ResultHost, ResultRevokeOptions, WaitOptions } from './result-base.js';
import { revokeResults } from './revoke.js';
import { PROPAGATE_STATES, isReady } from './states.js';
import { waitForMeta } from './wait-for-meta.js';

export type { ResultHost } from './result-base.js';
export { pendingMeta } from './meta-outcome.js';

/** Options of {@link AsyncResult.get}. */
export interface GetOptions extends WaitOptions {
  /**
   * While waiting, throw the error of a known parent (`parent`, its `parent`, …) that is FAILURE or REVOKED, the
   * one nearest the root first (default true; only with `propagate`). Celery's `follow_parents`: a chain whose
   * first step failed fails the wait for its last step at once instead of at its timeout.
   */
  followParents?: boolean;
}

/** Options of {@link AsyncResult.collect}: each node's `get()` options, and `intermediate`. */
export interface CollectOptions extends GetOptions {
  /**
   * Keep walking past a node that is not ready once its `get()` returned (its children are then not followed);
   * without it (the default) such a node ends the walk with `BackendError` `Q_ERR_BACKEND_FAILED`
   * ("IncompleteStream"), as Celery's `iterdeps`. `get()` waits for each node, so this only happens when a result
   * disappears meanwhile (forgotten, expired).
   */
  intermediate?: boolean;
}

/** The result of one task. */
export class AsyncResult<T = unknown> implements ResultBase<T> {
  /** Always `task`: this is one task's result. */
  readonly kind = 'task' as const;
  /** The task id. */
  readonly id: string;
  /** The result of the task (or group) this task was chained after or sent from, when known. */
  readonly parent: ResultBase | null;
  readonly #host: ResultHost;

  /**
   * @param id The task id.
   * @param host Where the result is read from (the app).
   * @param parent The parent result, when known (`get()` follows it, `asTuple()` includes it).
   */
  constructor(id: string, host: ResultHost, parent: ResultBase | null = null) {
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

  /** The task's state (`PENDING` when nothing is stored). */
  async state(): Promise<TaskState> {
    return (await this.meta()).status;
  }

  /** True once the task is SUCCESS, FAILURE or REVOKED. */
  async ready(): Promise<boolean> {
    return isReady(await this.state());
  }

  /** True when the task is SUCCESS. */
  async successful(): Promise<boolean> {
    return (await this.state()) === 'SUCCESS';
  }

  /** True when the task is FAILURE. */
  async failed(): Promise<boolean> {
    return (await this.state()) === 'FAILURE';
  }

  /** The return value, or for RETRY/FAILURE/REVOKED the error as a `RemoteError` (not thrown). */
  async result(): Promise<T | unknown> {
    return metaValue(await this.meta(), this.id);
  }

  /** The stored traceback of a failed task, or `null`. */
  async traceback(): Promise<string | null> {
    return (await this.meta()).traceback;
  }

  /**
   * Results of tasks this task sent (callbacks, the next chain step, subtasks), from the stored `children` tuples:
   * an `AsyncResult` for a task, a `GroupResult` for a group (as Celery's `children`).
   */
  async children(): Promise<ResultBase[]> {
    const out: ResultBase[] = [];
    for (const tuple of (await this.meta()).children) {
      const child = resultFromTuple(tuple, this.#host);
      if (child) out.push(child);
    }
    return out;
  }

  /** Removes the stored result. */
  async forget(): Promise<void> {
    await (await this.#backend()).forget(this.id);
  }

  /**
   * Revokes the task (Celery's `revoke`): workers drop it when it arrives, and with `terminate` end it with `signal`
   * (default `SIGTERM`) if it runs. With `wait`, resolves once the workers replied or `timeout` seconds (default 1)
   * passed; otherwise once the request is sent. Revoked tasks are remembered by workers, not by the result backend:
   * its state turns REVOKED only when a worker receives the task (or ends it).
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a handle made without an app; the transport's errors.
   * @example await result.revoke({ terminate: true, signal: 'SIGKILL' })
   */
  revoke(options: ResultRevokeOptions = {}): Promise<void> {
    return revokeResults(this.#host, this.id, options);
  }

  /** Celery's result tuple: `[[id, parentTuple | null], null]`. */
  asTuple(): ResultTuple {
    return resultTuple(this.id, this.parent?.asTuple() ?? null);
  }

  /** Throws the task's error when it is FAILURE or REVOKED; does nothing otherwise (Celery's `maybe_throw`). */
  async maybeThrow(): Promise<void> {
    const meta = await this.meta();
    if (PROPAGATE_STATES.includes(meta.status)) throw metaError(meta, this.id);
  }

  /**
   * Waits for the task to finish and returns its result. FAILURE and REVOKED throw a `RemoteError` with the
   * remote type, message and traceback (REVOKED: type `TaskRevokedError`); with `propagate: false` that
   * `RemoteError` is returned instead (the return type says so). With `propagate`, a known parent that is FAILURE or
   * REVOKED (checked before waiting and at every interval) throws its error instead (`followParents: false` turns
   * that off). `onMessage` sees every state change the wait observes.
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
    refuseWaitDuringImport(`result.get() was called for task ${this.id}`);
    const backend = await this.#backend();
    const propagate = options.propagate ?? true;
    const parents = propagate && (options.followParents ?? true) ? this.#ancestors() : [];
    const checkParents = parents.length === 0 ? undefined : () => throwFirstFailed(parents);
    await checkParents?.();
    const meta = await waitForMeta(backend, this.id, {
      deadline: options.timeout === undefined ? null : Date.now() + options.timeout * 1000,
      timeout: () => new TimeoutError('Q_ERR_TIMEOUT', `timed out waiting for the result of task ${this.id}`, { retryable: true }),
      signal: options.signal,
      closeSignal: this.#host.closeSignal,
      intervalMs: (options.interval ?? this.#host.conf.result.pollInterval) * 1000,
      observe: options.onMessage && changesOnly(options.onMessage),
      onInterval: checkParents,
    });
    if (PROPAGATE_STATES.includes(meta.status)) {
      const error = metaError(meta, this.id);
      if (propagate) throw error;
      return error;
    }
    return metaValue(meta, this.id) as T;
  }

  /** The known parents, the one nearest the root first (the order Celery checks them in). */
  #ancestors(): ResultBase[] {
    const out: ResultBase[] = [];
    for (let node = this.parent; node !== null && !out.includes(node); node = node.parent) out.unshift(node);
    return out;
  }

  /**
   * Walks the result graph: yields `[result, value]` for this result, then for its children (read from the
   * stored `children` once it is ready; a group's children are its members), breadth first as Celery's
   * `collect`/`iterdeps`. Each node is waited for with `get(options)`, so a failed node throws (unless
   * `propagate: false`). Needs the tasks' `children` stored (Celery's `trail`, on by default).
   * @throws as {@link AsyncResult.get}; BackendError `Q_ERR_BACKEND_FAILED` ("IncompleteStream") for a node not ready
   *   after its `get()` without `intermediate`.
   */
  async *collect(options: CollectOptions = {}): AsyncGenerator<[ResultBase, unknown], void, undefined> {
    const { intermediate = false, ...getOptions } = options;
    const queue: ResultBase[] = [this];
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      yield [node, await node.get(getOptions)];
      if (await node.ready()) queue.push(...(await node.children()));
      else if (!intermediate) {
        throw new BackendError('Q_ERR_BACKEND_FAILED', `IncompleteStream: the result of ${node.id} is not ready after its get() (forgotten or expired meanwhile)`);
      }
    }
  }

  /** The task id. */
  toString(): string {
    return this.id;
  }
}

/** Throws the error of the first node that is FAILURE or REVOKED, in order (a group: of its first such member). */
async function throwFirstFailed(nodes: readonly ResultBase[]): Promise<void> {
  for (const node of nodes) await node.maybeThrow();
}

/**
 * Rebuilds a result from Celery's result tuple (Celery's `result_from_tuple`): `[[id, parent], null]` is an
 * {@link AsyncResult}, `[[gid, parent], [member tuples…]]` a {@link GroupResult}; parents (tuples themselves) are
 * rebuilt too, nested to any depth. A bare id in place of `[id, parent]` is accepted (older Celery).
 * @returns `null` when `tuple` is not a result tuple.
 */
export function resultFromTuple(tuple: unknown, host: ResultHost): AsyncResult | GroupResult | null {
  let read = readResultTuple(tuple);
  if (!read && Array.isArray(tuple) && tuple.length === 2 && typeof tuple[0] === 'string') {
    const members = tuple[1] as unknown;
    if (members === null || Array.isArray(members)) read = { id: tuple[0], parent: null, members };
  }
  if (!read) return null;
  const parent = read.parent == null ? null : resultFromTuple(read.parent, host);
  if (read.members === null) return new AsyncResult(read.id, host, parent);
  const members: ResultBase[] = [];
  for (const m of read.members) {
    const member = resultFromTuple(m, host);
    if (member) members.push(member);
  }
  return new GroupResult(read.id, members, host, parent);
}

/**
 * Restores a group result saved with `GroupResult.save()`, by Celery too (`celery-taskset-meta-<gid>`), with its
 * members (and parents) rebuilt from the stored tuple (Celery's `GroupResult.restore`).
 * @returns `null` when nothing is saved under `groupId`.
 * @throws BackendError `Q_ERR_BACKEND_UNSUPPORTED` when the backend cannot store groups, `Q_ERR_BACKEND_DISABLED`
 *   without a backend; ProtocolError `Q_ERR_MESSAGE_MALFORMED` when the stored document is not a group's.
 */
export async function restoreGroupResult<T extends readonly unknown[] = unknown[]>(
  host: ResultHost,
  groupId: string,
): Promise<GroupResult<T> | null> {
  const backend = await host.getBackend();
  if (!backend) {
    throw new BackendError('Q_ERR_BACKEND_DISABLED', `no result backend is configured (backend: null), so group ${groupId} cannot be restored`);
  }
  if (!backend.restoreGroup) {
    throw new BackendError('Q_ERR_BACKEND_UNSUPPORTED', `the result backend ${backend.describe()} cannot store group results (to restore group ${groupId})`);
  }
  const stored = await backend.restoreGroup(groupId);
  if (stored === null || stored === undefined) return null;
  // A backend may hand back the whole document (`{"result": tuple}`) rather than the tuple.
  const tuple = isRecord(stored) && 'result' in stored ? stored.result : stored;
  const result = resultFromTuple(tuple, host);
  if (!(result instanceof GroupResult)) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `the saved group ${groupId} is not a group result tuple [[group_id, parent], [member tuples]]`);
  }
  return result as unknown as GroupResult<T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Results from a stored result tuple, a group's flattened to its members (`[[gid, parent], [members…]]` yields
 * each member task, nested groups included); `[]` when `tuple` is not one. Prefer {@link resultFromTuple}, which
 * keeps groups as `GroupResult`.
 */
export function resultsFromTuple(tuple: unknown, host: ResultHost): AsyncResult[] {
  const result = resultFromTuple(tuple, host);
  if (result === null) return [];
  if (result instanceof AsyncResult) return [result];
  return result.results.flatMap((m) => resultsFromTuple(m.asTuple(), host));
}
