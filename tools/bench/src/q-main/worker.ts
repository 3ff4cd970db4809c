/**
 * The body of the q worker processes (`bin/q-worker*.ts`, one per broker): `createWorker` with the no-op task and
 * the chord scenario's body (counts the header's results).
 * argv: <pool> <concurrency> <prefetchMultiplier> <result backend URL, or - for none> <broker URL>.
 * Prints `READY` once consuming; SIGTERM/SIGINT stop it warm. Logs at WARNING, as the Celery workers run
 * (`-l WARNING`): a worker given no logger logs a line per task at INFO.
 */
import type { App } from '@q/core';
import { consoleLogger, createWorker } from '@q/worker';

/** Builds the app from the broker URL and the result backend URL (null: none). */
export type AppFactory = (name: string, broker: string, backend: string | null) => App;

export async function runWorker(makeApp: AppFactory): Promise<void> {
  const [pool = 'async', concurrency = '100', prefetch = '4', backend = '-', broker = ''] = process.argv.slice(2);
  const app = makeApp('bench', broker, backend === '-' ? null : backend);
  app.task('bench.noop', () => null);
  app.task('bench.chord_body', (results: unknown[]) => results.length);
  const worker = createWorker(app, { pool, concurrency: Number(concurrency), prefetchMultiplier: Number(prefetch), hostname: `bench-q-${pool}@%h`, logger: consoleLogger({ level: 'warn' }) });
  worker.installSignalHandlers();
  await worker.start();
  console.log('READY');
}
