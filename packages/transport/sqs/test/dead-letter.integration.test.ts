/**
 * Dead-letter queues against the emulator: queues created with `deadLetterQueue` get a RedrivePolicy; a body that is
 * not a kombu envelope and a task rejected without requeue are moved there at once, and the worker keeps running.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Reject, createApp, memoryKeyValueDriver, silentLogger, type App } from '@q/core';
import { createWorker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { decodeBody } from '../src/body-codec.js';
import { sqsQueueName, sqsTransport } from '../src/index.js';
import { uniquePrefix, until, useEmulator } from './helpers.js';

const env = useEmulator();

async function appWithWorker(prefix: string): Promise<App> {
  const backend = memoryKeyValueDriver({ namespace: `sqs-dlq-${prefix}` });
  const broker = sqsTransport({ url: env.emulator.brokerUrl, region: 'us-east-1', queueNamePrefix: prefix, waitTimeSeconds: 1, deadLetterQueue: 'dead', maxReceiveCount: 3 });
  const app = createApp({ name: 'dlq', broker, backend });
  onTestFinished(() => app.close());
  app.task({ name: 'tasks.ok' }, () => 'ok');
  app.task({ name: 'tasks.refuse', acksLate: true }, () => {
    throw new Reject({ requeue: false, reason: 'not today' });
  });
  const worker = createWorker(app, { logger: silentLogger, hostname: `dlq-${prefix}@test`, concurrency: 2 });
  onTestFinished(() => worker.stop({ graceful: false }));
  await worker.start();
  return app;
}

const bodies = async (name: string): Promise<string[]> => (await env.raw.receive(name, { visibility: 0 })).map((m) => decodeBody(m.Body ?? ''));

describe('dead-letter queues', () => {
  it('a queue created with deadLetterQueue has a RedrivePolicy to it (created too)', async () => {
    const prefix = uniquePrefix('redrive');
    const app = await appWithWorker(prefix);
    expect(await app.signature('tasks.ok').delay().then((r) => r.get({ timeout: 15 }))).toBe('ok');
    const attrs = await env.raw.attributes(sqsQueueName('celery', prefix));
    const dead = await env.raw.attributes(sqsQueueName('dead', prefix));
    expect(JSON.parse(attrs['RedrivePolicy'] ?? '{}')).toEqual({ deadLetterTargetArn: dead['QueueArn'], maxReceiveCount: 3 });
    expect(dead['RedrivePolicy']).toBeUndefined();
  });

  it('a garbage body put by another system lands in the dead-letter queue, and the worker keeps running', async () => {
    const prefix = uniquePrefix('garbage');
    const app = await appWithWorker(prefix);
    expect(await app.signature('tasks.ok').delay().then((r) => r.get({ timeout: 15 }))).toBe('ok');
    const url = await env.raw.url(sqsQueueName('celery', prefix));
    await env.raw.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'this is <not> a kombu message' }));
    await env.raw.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"json": "but no properties"}' }));
    const dead: string[] = [];
    await until(async () => {
      dead.push(...(await env.raw.receive(sqsQueueName('dead', prefix))).map((m) => decodeBody(m.Body ?? '')));
      return dead.length >= 2;
    }, 15_000, 'both bodies in the dead-letter queue');
    expect(dead.sort()).toEqual(['this is <not> a kombu message', '{"json": "but no properties"}'].sort());
    expect(await app.signature('tasks.ok').delay().then((r) => r.get({ timeout: 15 }))).toBe('ok');
    expect((await env.raw.attributes(sqsQueueName('celery', prefix)))['ApproximateNumberOfMessagesNotVisible']).toBe('0');
  });

  it('a task rejected without requeue lands in the dead-letter queue as it was sent', async () => {
    const prefix = uniquePrefix('reject');
    const app = await appWithWorker(prefix);
    const sent = await app.signature('tasks.refuse').delay();
    let dead: string[] = [];
    await until(async () => (dead = await bodies(sqsQueueName('dead', prefix))).length > 0, 15_000, 'the rejected task in the dead-letter queue');
    const envelope = JSON.parse(dead[0] ?? '{}') as { headers: { id: string; task: string } };
    expect(envelope.headers).toMatchObject({ id: sent.id, task: 'tasks.refuse' });
    await until(async () => (await env.raw.attributes(sqsQueueName('celery', prefix)))['ApproximateNumberOfMessagesNotVisible'] === '0', 5000, 'deleted from celery');
    expect((await env.raw.attributes(sqsQueueName('celery', prefix)))['ApproximateNumberOfMessages']).toBe('0');
  });
});
