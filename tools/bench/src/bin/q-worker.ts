/**
 * The q worker process of the benchmark: `createWorker` on the Redis transport (and, with results, the Redis
 * backend), one no-op task. argv: <pool> <concurrency> <prefetchMultiplier> <results: on|off> <redis url>.
 * Prints `READY` once consuming; SIGTERM/SIGINT stop it warm.
 */
import { createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { createWorker } from '@q/worker';

const [pool = 'async', concurrency = '100', prefetch = '4', results = 'off', url = 'redis://127.0.0.1:6379/5'] = process.argv.slice(2);

const app = createApp({
  name: 'bench',
  broker: redisTransport(url),
  backend: results === 'on' ? redisBackend(url) : null,
});
app.task('bench.noop', () => null);

const worker = createWorker(app, { pool, concurrency: Number(concurrency), prefetchMultiplier: Number(prefetch), hostname: `bench-q-${pool}@%h` });
worker.installSignalHandlers();
await worker.start();
console.log('READY');
