/** The q client process on RabbitMQ: `@q/transport-amqp` and `@q/backend-rpc` (`rpc://`). See `q-main/client.ts`. */
import { createApp } from '@q/core';
import { rpcBackend } from '@q/backend-rpc';
import { amqpTransport } from '@q/transport-amqp';
import { runClient } from '../q-main/client.js';

await runClient((name, broker, backend) => createApp({ name, broker: amqpTransport(broker), backend: backend === 'rpc://' ? rpcBackend() : null }));
