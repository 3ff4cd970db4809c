/**
 * The app a pool's children load in the pool conformance suite (`childApp` of the factory): the suite's tasks, the
 * same bodies the suite's jobs run in process.
 */
import { createApp } from '@q/core';
import type { App, TaskContext } from '@q/core';
import { suiteBodies } from './suite-jobs.js';

/** A fresh app with the suite's tasks (no broker or backend is used: the pool only runs bodies). */
export function suiteApp(): App {
  const app = createApp({ name: 'pool-suite', broker: 'memory://pool-suite', backend: null });
  for (const [name, body] of Object.entries(suiteBodies)) {
    app.task({ name, bind: true }, (ctx: TaskContext, ...args: unknown[]) => body(ctx.signal, ...args));
  }
  return app;
}
