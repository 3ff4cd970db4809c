/** The q worker process on Redis: `@q/transport-redis`, and `@q/backend-redis` when results are on. See `q-main/worker.ts`. */
import { createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { runWorker } from '../q-main/worker.js';

await runWorker((name, broker, backend) => createApp({ name, broker: redisTransport(broker), backend: backend ? redisBackend(backend) : null }));
