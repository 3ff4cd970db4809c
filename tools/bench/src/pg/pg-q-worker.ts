/** The q worker process of `bench:pg`: `@q/transport-redis` as the broker, `pgQBackend()` (`pgBackend`, default options but the schema) for results. See `q-main/worker.ts`. */
import { createApp } from '@q/core';
import { redisTransport } from '@q/transport-redis';
import { runWorker } from '../q-main/worker.js';
import { pgQBackend } from './pg-target.js';

await runWorker((name, broker, backend) => createApp({ name, broker: redisTransport(broker), backend: backend ? pgQBackend(backend) : null }));
