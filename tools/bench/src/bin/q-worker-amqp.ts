/** The q worker process on RabbitMQ: `@q/transport-amqp` and `@q/backend-rpc` (`rpc://`). See `q-main/worker.ts`. */
import { createApp } from '@q/core';
import { rpcBackend } from '@q/backend-rpc';
import { amqpTransport } from '@q/transport-amqp';
import { runWorker } from '../q-main/worker.js';

await runWorker((name, broker, backend) => createApp({ name, broker: amqpTransport(broker), backend: backend === 'rpc://' ? rpcBackend() : null }));
