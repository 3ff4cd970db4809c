/**
 * Remote control of q workers over RabbitMQ (vhost `q-test-transport-amqp-control`): the worker's
 * `<node>.celery.pidbox` queue has Celery's flags and arguments, requests and replies round trip through
 * `celery.pidbox` and `reply.celery.pidbox`, and a starting worker mingles with a running one.
 */
import { createApp, silentLogger } from '@q/core';
import { createWorker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { amqpTransport } from '../src/index.js';
import { fileVhost, list } from './helpers.js';

const vhost = await fileVhost('transport-amqp-control');

describe.skipIf(!vhost)('remote control over AMQP', () => {
  const url = vhost?.url ?? '';
  const name = vhost?.name ?? '';
  const app = (label: string) => {
    const a = createApp({ name: label, broker: amqpTransport(url), backend: null });
    onTestFinished(() => a.close());
    return a;
  };

  it('declares the pidbox queue as Celery, answers ping and stats, and mingles', async () => {
    const first = createWorker(app('w'), { logger: silentLogger, hostname: 'rc1@amqp' });
    onTestFinished(() => first.stop({ graceful: false }));
    await first.start();
    const queues = list('queues', name, ['name', 'durable', 'auto_delete', 'arguments']);
    const row = queues.find((r) => r[0] === 'rc1@amqp.celery.pidbox');
    expect(row?.slice(1, 3)).toEqual(['false', 'true']);
    expect(row?.[3]).toMatch(/x-expires.*10000/);
    expect(row?.[3]).toMatch(/x-message-ttl.*300000/);

    const client = app('client');
    expect(await client.control.ping({ destination: ['rc1@amqp'], timeout: 2 })).toEqual([{ 'rc1@amqp': { ok: 'pong' } }]);
    const stats = await client.control.inspect({ destination: ['rc1@amqp'], timeout: 2 }).stats();
    expect(stats?.['rc1@amqp']).toMatchObject({ pid: process.pid, broker: { transport: 'amqp', virtual_host: name } });

    first.revoke('amqp-r1');
    const second = createWorker(app('w2'), { logger: silentLogger, hostname: 'rc2@amqp' });
    onTestFinished(() => second.stop({ graceful: false }));
    await second.start();
    expect(second.nodeState.isRevoked('amqp-r1')).toBe(true);
  });
});
