/** The AMQP transport passes @q/conformance against the live RabbitMQ (vhost `q-test-transport-amqp`). */
import { transportSuite } from '@q/conformance';
import { describe } from 'vitest';
import { amqpTransport } from '../src/index.js';
import { fileVhost } from './helpers.js';

const vhost = await fileVhost('transport-amqp');

describe.skipIf(!vhost)('amqp conformance', () => {
  const url = vhost?.url ?? '';
  transportSuite('amqp', async () => amqpTransport(url), { peer: async () => amqpTransport(url), quietMs: 150 });
});
