/**
 * The body of the q worker processes (`bin/q-worker*.ts`, one per broker): `createWorker` with one no-op task.
 * argv: <pool> <concurrency> <prefetchMultiplier> <result backend URL, or - for none> <broker URL>.
 * Prints `READY` once consuming; SIGTERM/SIGINT stop it warm.
 */
import type { App } from '@q/core';
import { createWorker } from '@q/worker';

/** Builds the app from the broker URL and the result backend URL (null: none). */
export type AppFactory = (name: string, broker: string, backend: string | null) => App;

export async function runWorker(makeApp: AppFactory): Promise<void> {
  const [pool = 'async', concurrency = '100', prefetch = '4', backend = '-', broker = ''] = process.argv.slice(2);
  const app = makeApp('bench', broker, backend === '-' ? null : backend);
  app.task('bench.noop', () => null);
  const worker = createWorker(app, { pool, concurrency: Number(concurrency), prefetchMultiplier: Number(prefetch), hostname: `bench-q-${pool}@%h` });
  worker.installSignalHandlers();
  await worker.start();
  console.log('READY');
}
