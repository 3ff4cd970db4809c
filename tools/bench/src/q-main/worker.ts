/**
 * The body of the q worker processes (`bin/q-worker*.ts`, one per broker): `createWorker` with the no-op task and
 * the chord scenario's body (counts the header's results).
 * argv: <pool> <concurrency> <prefetchMultiplier> <result backend URL, or - for none> <broker URL> [<log level>].
 * Prints `READY` once consuming; SIGTERM/SIGINT stop it warm. Logs at WARNING by default, as the Celery workers run
 * (`-l WARNING`), through the worker's default logger (`consoleLogger`, stderr); the log-level scenario runs it at
 * INFO too, where it writes Celery's two lines per task ("received", "succeeded in").
 */
import type { App } from '@q/core';
import { consoleLogger, createWorker } from '@q/worker';

/** Builds the app from the broker URL and the result backend URL (null: none). */
export type AppFactory = (name: string, broker: string, backend: string | null) => App;

export async function runWorker(makeApp: AppFactory): Promise<void> {
  const [pool = 'async', concurrency = '100', prefetch = '4', backend = '-', broker = '', level = 'warn'] = process.argv.slice(2);
  const app = makeApp('bench', broker, backend === '-' ? null : backend);
  app.task('bench.noop', () => null);
  app.task('bench.chord_body', (results: unknown[]) => results.length);
  const worker = createWorker(app, { pool, concurrency: Number(concurrency), prefetchMultiplier: Number(prefetch), hostname: `bench-q-${pool}@%h`, logger: consoleLogger({ level: level === 'info' ? 'info' : 'warn' }) });
  worker.installSignalHandlers();
  await worker.start();
  console.log('READY');
}
