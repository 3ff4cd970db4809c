/**
 * Custom message consumers (Celery's `ConsumerStep`): a bootstep consuming its own queues on the worker's
 * transport, started and stopped with the worker, its messages settled by its handler.
 */
import { describe, expect, it } from 'vitest';
import type { App } from '@q/core';
import { customConsumer } from '../src/index.js';
import type { ConsumedMessage } from '../src/index.js';
import { makeApp, namespace, recordingLogger, sleep, startWorker, until } from './helpers.js';

/** A message whose body is `text` (JSON text unless a test wants it otherwise). */
const json = (text: string, contentType = 'application/json') => ({
  body: new TextEncoder().encode(text),
  contentType,
  contentEncoding: 'utf-8',
  headers: {},
  properties: {},
});

/** Publish `value` as JSON (a `raw` string as it is) to the custom exchange, or where `exchange`/`routingKey` say. */
async function publish(app: App, value: unknown, exchange = 'custom', routingKey = 'routing_key', raw?: { text: string; contentType: string }): Promise<void> {
  const transport = await app.getTransport();
  const message = raw ? json(raw.text, raw.contentType) : json(JSON.stringify(value));
  await transport.publish(message, { exchange, routingKey, exchangeType: 'direct' });
}

const CUSTOM_QUEUE = { name: 'custom', exchange: 'custom', routingKey: 'routing_key' };

describe('custom consumers', () => {
  it("consume their own queue with the worker's transport beside the task consumer; the handler acks", async () => {
    const app = makeApp(namespace());
    app.task('tasks.add', (x: number, y: number) => x + y);
    const seen: unknown[] = [];
    const step = customConsumer({
      name: 'my-consumer',
      queues: [CUSTOM_QUEUE],
      async handle(body, message, worker) {
        seen.push({ body, queue: message.info.queue, node: worker.hostname });
        await message.ack();
      },
    });
    const worker = await startWorker(app, { bootsteps: [step] });
    expect(worker.bootsteps).toEqual(['connection', 'shared-revokes', 'pool', 'timer', 'pidbox', 'mingle', 'consumer', 'my-consumer']);
    await publish(app, { hello: 'world!' });
    await publish(app, [1, 2]);
    await until(() => seen.length, (n) => n === 2);
    expect(seen).toEqual([
      { body: { hello: 'world!' }, queue: 'custom', node: 'w1@test' },
      { body: [1, 2], queue: 'custom', node: 'w1@test' },
    ]);
    expect(await (await app.sendTask('tasks.add', [2, 3])).get({ timeout: 3 })).toBe(5);
    expect(await (await app.getTransport()).queueSize?.('custom')).toBe(0);
    expect(step.unsettled).toBe(0);
  });

  it('rejects without requeue a message whose handler throws, or that cannot be decoded, and keeps consuming', async () => {
    const logger = recordingLogger();
    const app = makeApp(namespace(), { logger });
    const handled: unknown[] = [];
    const step = customConsumer({
      name: 'picky',
      queues: [CUSTOM_QUEUE],
      handle(body, message) {
        if (body === 'bad') throw new Error('cannot handle bad');
        handled.push(body);
        return message.ack();
      },
    });
    await startWorker(app, { bootsteps: [step] });
    await publish(app, 'bad');
    await publish(app, null, 'custom', 'routing_key', { text: 'not json', contentType: 'application/json' });
    await publish(app, null, 'custom', 'routing_key', { text: 'pickled', contentType: 'application/x-python-serialize' });
    await publish(app, 'good');
    await until(() => handled.length, (n) => n === 1);
    await until(() => logger.lines.filter((l) => l.msg.startsWith('picky:')).length, (n) => n === 3);
    expect(handled).toEqual(['good']);
    expect(logger.lines.filter((l) => l.level === 'error' && l.msg === 'picky: the handler failed: cannot handle bad')).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('picky: rejecting a message that cannot be decoded'))).toHaveLength(2);
    await sleep(50);
    expect(handled).toEqual(['good']);
    expect(await (await app.getTransport()).queueSize?.('custom')).toBe(0);
  });

  it('stop with the worker: a warm stop waits for the running handler, and messages left unsettled are requeued', async () => {
    const app = makeApp(namespace());
    const held: ConsumedMessage[] = [];
    let finished = 0;
    const step = customConsumer({
      name: 'slow',
      queues: ['side'],
      prefetch: 1,
      async handle(body, message) {
        held.push(message);
        await sleep(100);
        finished += 1;
        // Left unsettled on purpose: the step gives it back when it stops.
      },
    });
    const worker = await startWorker(app, { bootsteps: [step], closeApp: false });
    await publish(app, 'one', '', 'side');
    await publish(app, 'two', '', 'side');
    await until(() => held.length, (n) => n === 1);
    expect(step.unsettled).toBe(1);
    await worker.stop();
    expect(finished).toBe(1);
    expect(held).toHaveLength(1);
    expect(held[0]?.settled).toBe(true);
    expect(step.unsettled).toBe(0);
    expect(await (await app.getTransport()).queueSize?.('side')).toBe(2);
  });

  it("are registered by a plugin's bootstep API too, and the body can be left undecoded", async () => {
    const seen: unknown[] = [];
    const app = makeApp(namespace(), {
      plugins: [
        {
          name: 'raw-plugin',
          setup(api) {
            api.bootstep(
              customConsumer({
                name: 'raw',
                queues: [CUSTOM_QUEUE],
                decode: false,
                async handle(body, message) {
                  seen.push(new TextDecoder().decode(body as Uint8Array));
                  await message.ack();
                },
              }),
            );
          },
        },
      ],
    });
    const worker = await startWorker(app);
    expect(worker.bootsteps).toContain('raw');
    await publish(app, null, 'custom', 'routing_key', { text: 'not json at all', contentType: 'application/json' });
    await until(() => seen.length, (n) => n === 1);
    expect(seen).toEqual(['not json at all']);
  });
});
