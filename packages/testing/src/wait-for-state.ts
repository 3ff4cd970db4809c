/**
 * Waiting for a task's state (what a test does between sending a task and asserting on it): {@link waitForState}
 * and {@link waitForResult}, reading the state document through the app's result backend.
 */
import { READY_STATES, TimeoutError } from '@q/core';
import type { App, TaskMeta, TaskState } from '@q/core';
import { DEFAULT_WAIT_MS, waitFor } from './wait-for.js';

/** A task's result handle: an `AsyncResult`, an `EagerResult`, anything with an id and a `meta()`. */
export interface ResultLike {
  /** The task id. */
  readonly id: string;
  /** The stored state document (PENDING when nothing is stored). */
  meta(): Promise<TaskMeta>;
}

/** Options of {@link waitForState} and {@link waitForResult}. */
export interface WaitForStateOptions {
  /** How long to wait before failing (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between two reads of the backend (default 5 ms). */
  intervalMs?: number;
  /** Stops waiting: the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The handle and the rest of the arguments, from either call shape. */
function target(args: readonly unknown[]): { result: ResultLike; rest: unknown[] } {
  const [first, ...rest] = args;
  if (typeof rest[0] === 'string' && typeof (first as App).asyncResult === 'function') {
    return { result: (first as App).asyncResult(rest[0]), rest: rest.slice(1) };
  }
  return { result: first as ResultLike, rest };
}

async function untilState(result: ResultLike, states: readonly TaskState[], options: WaitForStateOptions): Promise<TaskMeta> {
  const { timeoutMs = DEFAULT_WAIT_MS, intervalMs = 5, signal } = options;
  return waitFor(
    () => result.meta(),
    (meta) => states.includes(meta.status),
    {
      timeoutMs,
      intervalMs,
      ...(signal ? { signal } : {}),
      onTimeout: (last) =>
        new TimeoutError(
          'Q_ERR_TIMEOUT',
          `task ${result.id} did not reach ${states.join(' or ')} within ${timeoutMs} ms: its state is ${last.status}`,
        ),
    },
  );
}

/**
 * Waits until the task is in one of `states` and resolves with its state document. After `timeoutMs` it rejects
 * with a `TimeoutError` (`Q_ERR_TIMEOUT`) naming the task id, the state it was seen in and the states awaited:
 * `task 7c0… did not reach SUCCESS within 5000 ms: its state is STARTED`.
 *
 * ```ts
 * const result = await add.delay(2, 2);
 * await waitForState(result, 'STARTED');
 * const meta = await waitForState(app, result.id, ['SUCCESS', 'FAILURE']);
 * ```
 */
export function waitForState(result: ResultLike, states: TaskState | readonly TaskState[], options?: WaitForStateOptions): Promise<TaskMeta>;
/** Waits until the task `id` of `app` is in one of `states` (see the other overload). */
export function waitForState(app: App, id: string, states: TaskState | readonly TaskState[], options?: WaitForStateOptions): Promise<TaskMeta>;
export function waitForState(...args: unknown[]): Promise<TaskMeta> {
  const { result, rest } = target(args);
  const states = rest[0] as TaskState | readonly TaskState[];
  return untilState(result, typeof states === 'string' ? [states] : states, (rest[1] as WaitForStateOptions | undefined) ?? {});
}

/**
 * Waits until the task is ready (SUCCESS, FAILURE or REVOKED) and resolves with its state document, without
 * throwing for a failure (unlike `result.get()`), so that a test can assert on either outcome:
 *
 * ```ts
 * expect(await waitForResult(result)).toMatchObject({ status: 'SUCCESS', result: 4 });
 * ```
 */
export function waitForResult(result: ResultLike, options?: WaitForStateOptions): Promise<TaskMeta>;
/** Waits until the task `id` of `app` is ready (see the other overload). */
export function waitForResult(app: App, id: string, options?: WaitForStateOptions): Promise<TaskMeta>;
export function waitForResult(...args: unknown[]): Promise<TaskMeta> {
  const { result, rest } = target(args);
  return untilState(result, READY_STATES, (rest[0] as WaitForStateOptions | undefined) ?? {});
}
