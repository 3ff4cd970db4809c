/** What each result-backend behaviour group receives. */
import type { ResultBackend, TaskMeta } from '@q/core';
import { onTestFinished } from 'vitest';

/** Options of `resultBackendSuite`. */
export interface ResultBackendSuiteOptions {
  /** How long to wait for pushed results (default 5000 ms). */
  timeoutMs?: number;
  /** Expiry used by the expiry test (default 150 ms); the test waits a little longer. */
  expiresMs?: number;
}

/** Shared state of one suite run. */
export interface ResultBackendContext {
  /** A fresh, connected backend, closed when the test ends. */
  open(): Promise<ResultBackend>;
  readonly timeoutMs: number;
  readonly expiresMs: number;
}

export function resultBackendContext(factory: () => Promise<ResultBackend>, options: ResultBackendSuiteOptions): ResultBackendContext {
  return {
    async open() {
      const backend = await factory();
      await backend.connect();
      onTestFinished(() => backend.close());
      return backend;
    },
    timeoutMs: options.timeoutMs ?? 5000,
    expiresMs: options.expiresMs ?? 150,
  };
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
