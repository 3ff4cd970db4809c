/**
 * The q client process on SQS: `@q/transport-sqs` and `@q/backend-redis` (the bench's private redis-server); kombu
 * transport options as JSON in `BENCH_TRANSPORT_OPTIONS`. See `q-main/client.ts`.
 */
import { createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { sqsTransport } from '@q/transport-sqs';
import { runClient } from '../q-main/client.js';

const transportOptions = JSON.parse(process.env['BENCH_TRANSPORT_OPTIONS'] ?? '{}') as Record<string, unknown>;

await runClient((name, broker, backend) => createApp({ name, broker: sqsTransport({ url: broker, transportOptions }), backend: backend ? redisBackend(backend) : null }));
