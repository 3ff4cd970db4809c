/**
 * A custom message consumer (`customConsumer`, Celery's `ConsumerStep`) on the Redis transport (db 1): it consumes
 * its own topic-bound queue on the worker's connection, its acks clear kombu's `unacked` bookkeeping, and a
 * message it leaves unsettled goes back to its list when the worker stops.
 */
import { createApp, silentLogger } from '@q/core';
import type { App } from '@q/core';
import { REDIS, servicesAvailable } from '@q/test-services';
import { createWorker, customConsumer } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisTransport } from '../src/index.js';
import { URL1, flushDb1, rawClient, until } from './helpers.js';

const ok = await servicesAvailable('transport-redis', REDIS);

async function publish(app: App, value: unknown, routingKey: string): Promise<void> {
  const transport = await app.getTransport();
  const message = { body: new TextEncoder().encode(JSON.stringify(value)), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} };
  await transport.publish(message, { exchange: 'audit', routingKey, exchangeType: 'topic' });
}

describe.skipIf(!ok)('custom consumers over Redis', () => {
  const redis = rawClient();
  flushDb1(redis);

  it("consume their own topic queue on the worker's connection; acked messages leave nothing behind, unsettled ones are requeued at stop", async () => {
    const app = createApp({ name: 'custom', broker: redisTransport(URL1), backend: null });
    onTestFinished(() => app.close());
    const seen: unknown[] = [];
    const step = customConsumer({
      name: 'audit',
      queues: [{ name: 'audit', exchange: 'audit', exchangeType: 'topic', routingKey: 'audit.#' }],
      prefetch: 5,
      async handle(body, message) {
        seen.push(body);
        if ((body as { keep?: boolean }).keep) return; // left unsettled: requeued when the worker stops
        await message.ack();
      },
    });
    const worker = createWorker(app, { logger: silentLogger, hostname: 'custom@test', bootsteps: [step], closeApp: false });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    // kombu's binding set of the topic exchange: routing key, its pattern, queue.
    expect(await redis.smembers('_kombu.binding.audit')).toEqual(['audit.#\x06\x16^audit\\..*?$\x06\x16audit']);
    await publish(app, { user: 'ann', event: 'login' }, 'audit.login');
    await publish(app, { user: 'bob', event: 'logout' }, 'audit.logout.web');
    await until(() => seen.length === 2, 5000, 'two audit messages');
    expect(seen).toEqual([
      { user: 'ann', event: 'login' },
      { user: 'bob', event: 'logout' },
    ]);
    await until(async () => (await redis.hlen('unacked')) === 0, 3000, 'acks');
    expect(await redis.llen('audit')).toBe(0);

    await publish(app, { user: 'cy', keep: true }, 'audit.keep');
    await until(() => seen.length === 3, 5000, 'the kept message');
    expect(step.unsettled).toBe(1);
    await worker.stop({ graceful: true });
    await app.close();
    expect(await redis.llen('audit')).toBe(1);
    expect(await redis.hlen('unacked')).toBe(0);
    const [requeued] = await redis.lrange('audit', 0, -1);
    expect(JSON.parse(Buffer.from((JSON.parse(requeued ?? '{}') as { body: string }).body, 'base64').toString())).toEqual({ user: 'cy', keep: true });
    await redis.del('audit');
  });
});
