/** The q client process on Redis: `@q/transport-redis` and `@q/backend-redis`. See `q-main/client.ts`. */
import { createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { runClient } from '../q-main/client.js';

await runClient((name, broker, backend) => createApp({ name, broker: redisTransport(broker), backend: backend ? redisBackend(backend) : null }));
