/**
 * The tasks of the Python interop tests, with the same names and behaviour as `e2e/python/capapp.py`, so a
 * message from either language runs the same way on either worker.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { App, Plugin, TaskContext } from '@q/core';
import { Redis } from 'ioredis';

/** Thrown by `tasks.fail`: Python rebuilds it as the builtin `ValueError`. */
export class ValueError extends Error {}

/** The reason `tasks.flaky` retries with: Python's builtin `RuntimeError`. */
export class RuntimeError extends Error {}

/** Where `tasks.record` appends: a Redis list per key, entries `<who>:<value>`. */
export interface Ledger {
  /** Recorded as the worker that ran a task. */
  readonly who: string;
  record(key: string, value: unknown): Promise<void>;
  /** Closes the connection (also done by {@link Ledger.plugin} at worker shutdown). */
  close(): Promise<void>;
  /** Give it to `createApp({ plugins })`: closes the ledger when the worker shuts down. */
  readonly plugin: Plugin;
}

/** A ledger on `url` (Redis db 4 in the tests), connected on first use. */
export function interopLedger(who: string, url: string): Ledger {
  let client: Redis | null = null;
  const close = async () => {
    const open = client;
    client = null;
    if (open) await open.quit().catch(() => open.disconnect());
  };
  return {
    who,
    async record(key, value) {
      client ??= new Redis(url, { maxRetriesPerRequest: 2 });
      await client.rpush(key, `${who}:${String(value)}`);
    },
    close,
    plugin: { name: 'interop-ledger', setup: (api) => api.hook('workerShutdown', close) },
  };
}

/** Registers `tasks.add`, `mul`, `xsum`, `fail`, `echo`, `errback`, `sleep`, `flaky`, `record` and `slow_record` on `app`. */
export function registerInteropTasks(app: App, ledger: Ledger): void {
  app.task('tasks.add', (x: number, y: number) => x + y);
  app.task('tasks.mul', (x: number, y: number) => x * y);
  app.task('tasks.xsum', (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0));
  app.task({ name: 'tasks.fail', params: ['message'] }, (message: string) => {
    throw new ValueError(message);
  });
  app.task({ name: 'tasks.echo', acceptsKwargs: true }, (...all: unknown[]) => ({
    args: all.slice(0, -1),
    kwargs: all.at(-1),
  }));
  app.task('tasks.errback', (taskId: string) => ({ failed: taskId }));
  app.task('tasks.sleep', async (seconds: number) => {
    await delay(seconds * 1000);
    return seconds;
  });
  app.task({ name: 'tasks.flaky', bind: true, maxRetries: 3 }, (ctx: TaskContext, times: number) => {
    if (ctx.retries < times) ctx.retry({ countdown: 0.2, exc: new RuntimeError('transient failure') });
    return ctx.retries;
  });
  app.task('tasks.record', async (key: string, value: unknown) => {
    await ledger.record(key, value);
    return { value, square: typeof value === 'number' ? value * value : null, by: ledger.who };
  });
  app.task('tasks.slow_record', async (key: string, value: unknown, seconds: number) => {
    await delay(seconds * 1000);
    await ledger.record(key, value);
    return value;
  });
}
