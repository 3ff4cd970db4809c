/**
 * The q worker process on SQS: `@q/transport-sqs`, and `@q/backend-redis` (the bench's private redis-server) when
 * results are on. The scenario's kombu transport options (queue prefix, region, long polling) come as JSON in
 * `BENCH_TRANSPORT_OPTIONS`, as the Celery worker gets them. See `q-main/worker.ts`.
 */
import { createApp } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { sqsTransport } from '@q/transport-sqs';
import { runWorker } from '../q-main/worker.js';

const transportOptions = JSON.parse(process.env['BENCH_TRANSPORT_OPTIONS'] ?? '{}') as Record<string, unknown>;

await runWorker((name, broker, backend) => createApp({ name, broker: sqsTransport({ url: broker, transportOptions }), backend: backend ? redisBackend(backend) : null }));
