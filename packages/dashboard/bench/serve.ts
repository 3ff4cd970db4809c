/**
 * The dashboard process of `bench/load.ts`: serves a dashboard of Redis db 9 on a free port, prints
 * `{"address": …}` as one line, and stops on SIGTERM. Run from source (tsx) or bundled (`load.ts` bundles it
 * into `dist/bench-serve.mjs`, so its memory is that of compiled code, as `q dashboard` runs).
 */
import { createApp, silentLogger } from '@q/core';
import { redisTransport } from '@q/transport-redis';
import { createDashboard } from '../src/dashboard.js';

const app = createApp({ name: 'dash-bench', broker: redisTransport('redis://127.0.0.1:6379/9'), logger: silentLogger });
const dashboard = createDashboard(app, { port: 0, maxTasksInMemory: 100_000 });
process.stdout.write(`${JSON.stringify({ address: await dashboard.listen() })}\n`);
const stop = async (): Promise<void> => {
  await dashboard.close();
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
