/** Predefined queues (kombu `predefined_queues`): no listing or creation; an undefined or missing queue is a typed error. */
import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ConfigError, createApp, memoryKeyValueDriver, silentLogger } from '@q/core';
import { createWorker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sqsQueueDriver, sqsTransport } from '../src/index.js';
import { uniquePrefix, useEmulator } from './helpers.js';

const env = useEmulator();

describe('predefined queues', () => {
  it('runs tasks on a predefined queue (its own credentials) and creates no queue', async () => {
    const prefix = uniquePrefix('pre');
    const created = await env.raw.client.send(new CreateQueueCommand({ QueueName: `${prefix}work`, Attributes: { VisibilityTimeout: '60' } }));
    const url = created.QueueUrl ?? '';
    const before = (await env.raw.client.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    const broker = sqsTransport({
      // No credentials in the URL: only the predefined queue's own are used.
      url: `sqs://${new URL(env.emulator.endpoint).host}`,
      region: 'us-east-1',
      waitTimeSeconds: 1,
      predefinedQueues: { celery: { url, accessKeyId: 'other', secretAccessKey: 'keys', region: 'us-east-1' } },
    });
    const app = createApp({ name: 'pre', broker, backend: memoryKeyValueDriver({ namespace: `sqs-pre-${prefix}` }) });
    onTestFinished(() => app.close());
    const add = app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    const worker = createWorker(app, { logger: silentLogger, hostname: `pre-${prefix}@test` });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    expect(await (await add.delay(2, 3)).get({ timeout: 15 })).toBe(5);
    const after = (await env.raw.client.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    expect(after.sort()).toEqual(before.sort());

    // A queue that is not predefined: a ConfigError naming it, nothing created.
    const error = await add.applyAsync([1, 1], {}, { queue: 'elsewhere' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/"elsewhere" is not among the predefined_queues \(celery\)/);
  });

  it('a predefined queue that does not exist fails connect with a ConfigError naming it', async () => {
    const driver = sqsQueueDriver({
      endpoint: env.emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      predefinedQueues: { celery: { url: `${env.emulator.endpoint}/000000000000/never-created-${process.pid}` } },
    });
    onTestFinished(() => driver.close());
    const error = await driver.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`predefined SQS queue "celery"`);
  });
});
