/** What each result-backend behaviour group receives. */
import type { ResultBackend, TaskMeta } from '@q/core';
import type { StoreOptions } from '@q/core/adapter';
import { onTestFinished } from 'vitest';
import { uniqueName, waitUntil } from '../helpers.js';

/** Options of `resultBackendSuite`. */
export interface ResultBackendSuiteOptions {
  /** How long to wait for pushed results (default 5000 ms). */
  timeoutMs?: number;
  /** Expiry used by the expiry test (default 150 ms); the test waits a little longer. */
  expiresMs?: number;
  /**
   * Required for backends whose results only the caller reads (`capabilities.readers: 'caller'`, rpc): the
   * reply address (`StoreOptions.replyTo`) under which `backend` receives what is stored, i.e. its client's oid.
   */
  replyTo?: (backend: ResultBackend) => string;
}

/** Shared state of one suite run. */
export interface ResultBackendContext {
  /** A fresh, connected backend, closed when the test ends. */
  open(): Promise<ResultBackend>;
  readonly timeoutMs: number;
  readonly expiresMs: number;
  /** `caller`: a stored state reaches the reading backend as a message, some time after `storeResult` returned. */
  readonly readers: 'any' | 'caller';
  /**
   * `onTaskCall` (what the client does before sending the task), then `storeResult` addressed so that `backend`
   * itself reads the state (its reply address for caller-read backends).
   */
  store(backend: ResultBackend, meta: TaskMeta, options?: StoreOptions): Promise<void>;
  /** `getTaskMeta` once every state stored before has arrived ({@link ResultBackendContext.settle}). */
  read(backend: ResultBackend, taskId: string): Promise<TaskMeta | null>;
  /**
   * Waits until every state stored so far is readable. Caller-read backends receive states in the order they were
   * sent, so a marker state stored last and seen is proof; for the others there is nothing to wait for.
   */
  settle(backend: ResultBackend): Promise<void>;
}

export function resultBackendContext(
  factory: () => Promise<ResultBackend>,
  options: ResultBackendSuiteOptions,
  readers: 'any' | 'caller',
): ResultBackendContext {
  const timeoutMs = options.timeoutMs ?? 5000;
  const storeOptions = (backend: ResultBackend, base: StoreOptions): StoreOptions => {
    if (readers === 'any') return base;
    if (!options.replyTo) throw new Error("resultBackendSuite: a backend with readers: 'caller' needs the replyTo option");
    return { ...base, replyTo: options.replyTo(backend) };
  };
  const ctx: ResultBackendContext = {
    async open() {
      const backend = await factory();
      await backend.connect();
      onTestFinished(() => backend.close());
      return backend;
    },
    timeoutMs,
    expiresMs: options.expiresMs ?? 150,
    readers,
    async store(backend, meta, base = KEEP) {
      // What a client does before sending the task (rpc: declare the reply queue, or the broker drops the result).
      await backend.onTaskCall?.(meta.taskId);
      await backend.storeResult(meta, storeOptions(backend, base));
    },
    async read(backend, taskId) {
      await ctx.settle(backend);
      return backend.getTaskMeta(taskId);
    },
    async settle(backend) {
      if (readers === 'any') return;
      const marker = uniqueName('settle');
      await ctx.store(backend, meta(marker, 'SUCCESS', null));
      await waitUntil(async () => (await backend.getTaskMeta(marker)) !== null, timeoutMs, 'the states stored before to arrive');
      await backend.forget(marker);
    },
  };
  return ctx;
}

/** A task meta in `status` with `result`. */
export function meta(taskId: string, status: string, result: unknown, extra: Partial<TaskMeta> = {}): TaskMeta {
  const ready = status === 'SUCCESS' || status === 'FAILURE' || status === 'REVOKED';
  return {
    taskId,
    status,
    result,
    traceback: null,
    children: [],
    dateDone: ready ? '2026-11-22T02:39:41.344238' : null,
    ...extra,
  };
}

/** A FAILURE meta with Celery's exception encoding. */
export function failure(taskId: string, message: string): TaskMeta {
  return meta(taskId, 'FAILURE', { exc_type: 'ValueError', exc_message: [message], exc_module: 'builtins' }, {
    traceback: 'Traceback (most recent call last):\nValueError: ' + message,
  });
}

/** Options to store forever. */
export const KEEP = { expiresMs: null } as const;
