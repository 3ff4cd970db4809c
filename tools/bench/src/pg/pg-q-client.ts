/** The q client process of `bench:pg`: `@q/transport-redis` and `pgQBackend()` (`pgBackend`, `get()` by LISTEN/NOTIFY). See `q-main/client.ts`. */
import { createApp } from '@q/core';
import { redisTransport } from '@q/transport-redis';
import { runClient } from '../q-main/client.js';
import { pgQBackend } from './pg-target.js';

await runClient((name, broker, backend) => createApp({ name, broker: redisTransport(broker), backend: backend ? pgQBackend(backend) : null }));
