/**
 * Events over RabbitMQ (vhost `q-test-events-amqp` of its own): the exchange `celeryev` is declared topic and
 * durable as Celery does, a receiver's queue `celeryev.<id>` is auto-delete with `x-expires` 60000 and
 * `x-message-ttl` 5000, and single events and `task.multi` batches round trip in order.
 */
import { spawnSync } from 'node:child_process';
import { LamportClock, type Transport } from '@q/core';
import { listQueues, rabbitVhost } from '@q/test-services';
import { amqpTransport } from '@q/transport-amqp';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { EventDispatcher } from '../src/dispatcher/event-dispatcher.js';
import { EventReceiver } from '../src/receiver/event-receiver.js';
import type { QEvent } from '../src/wire/event.js';

const vhost = await rabbitVhost('events-amqp', 'events-amqp');
if (vhost) afterAll(() => vhost.drop());

function exchanges(name: string): string[][] {
  const run = spawnSync('rabbitmqctl', ['-q', 'list_exchanges', '-p', name, '--no-table-headers', 'name', 'type', 'durable', 'auto_delete'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`rabbitmqctl list_exchanges failed: ${run.stdout}${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'));
}

describe.skipIf(!vhost)('events over RabbitMQ', () => {
  const url = vhost?.url ?? '';
  const name = vhost?.name ?? '';

  async function transport(): Promise<Transport> {
    const t = amqpTransport(url);
    await t.connect();
    onTestFinished(() => t.close());
    return t;
  }

  it('declares celeryev topic durable and the receiver queue with Celery arguments; events and batches round trip in order', async () => {
    const events: QEvent[] = [];
    const workerEvents: string[] = [];
    const receiver = new EventReceiver({ transport: await transport(), queueId: 'mon1', handlers: { '*': (e) => events.push(e) } });
    onTestFinished(() => receiver.stop());
    const gossip = new EventReceiver({ transport: await transport(), queueId: 'gossip1', routingKey: 'worker.#', handlers: { '*': (e) => workerEvents.push(e.type) } });
    onTestFinished(() => gossip.stop());
    const done = receiver.capture({ limit: 5, timeout: 10 });
    const gossipDone = gossip.capture({ limit: 2, timeout: 10 });
    await Promise.all([receiver.start(), gossip.start()]);

    expect(exchanges(name).find((row) => row[0] === 'celeryev')).toEqual(['celeryev', 'topic', 'true', 'false']);
    const queue = listQueues(name, ['name', 'durable', 'auto_delete', 'arguments']).find((row) => row[0] === 'celeryev.mon1');
    expect(queue?.slice(1, 3)).toEqual(['false', 'true']);
    expect(queue?.[3]).toMatch(/x-expires.*60000/);
    expect(queue?.[3]).toMatch(/x-message-ttl.*5000/);

    const dispatcher = new EventDispatcher({ transport: await transport(), hostname: 'ev1@amqp', clock: new LamportClock(), bufferGroups: ['task'] });
    onTestFinished(() => dispatcher.close());
    dispatcher.send('worker-online', { freq: 2 });
    dispatcher.send('task-received', { uuid: 't1' });
    dispatcher.send('task-started', { uuid: 't1' });
    dispatcher.send('task-succeeded', { uuid: 't1', result: '3' });
    dispatcher.send('worker-heartbeat', { freq: 2 });
    await dispatcher.flush();
    await Promise.all([done, gossipDone]);

    expect(events.map((e) => e.type)).toEqual(['worker-online', 'worker-heartbeat', 'task-received', 'task-started', 'task-succeeded']);
    expect(events.map((e) => e.clock)).toEqual([1, 5, 2, 3, 4]);
    expect(events.every((e) => e.hostname === 'ev1@amqp' && e.uuid === (e.type.startsWith('task') ? 't1' : undefined))).toBe(true);
    expect(workerEvents).toEqual(['worker-online', 'worker-heartbeat']);
  });
});
