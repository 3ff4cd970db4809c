/**
 * The BullMQ worker process of the benchmark: a no-op processor on queue `bench` in Redis db 5.
 * argv: <concurrency>. Prints `READY` once connected.
 */
import { Worker } from 'bullmq';

const concurrency = Number(process.argv[2] ?? '1');
const worker = new Worker('bench', async () => null, {
  connection: { host: '127.0.0.1', port: 6379, db: 5 },
  concurrency,
});
worker.on('error', (err) => console.error(err));
await worker.waitUntilReady();
console.log('READY');

const stop = (): void => {
  worker
    .close()
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
