/**
 * What q puts on RabbitMQ is what Python Celery puts there: the topology `rabbitmqctl` shows
 * (`vectors/amqp-topology-rabbitmqctl.txt`) and the task message py-amqp reads back
 * (`vectors/amqp-task-headers.json`, `amqp-task-alloptions.json`). Vhost `q-test-transport-amqp-wire`.
 */
import { readFileSync } from 'node:fs';
import { createApp } from '@q/core';
import { controlQueueTopology, controlReplyTopology, eventReceiverTopology, type Delivery, type Message, type QueueTopology } from '@q/core/adapter';
import { VECTORS_DIR } from '@q/test-services';
import { describe, expect, it, onTestFinished } from 'vitest';
import { amqpTransport, qPlugin } from '../src/index.js';
import { fileVhost, list, until } from './helpers.js';
import { pyAmqpAvailable, pyGet, pyPublish, type PyMessage } from './py-amqp.js';

const vhost = pyAmqpAvailable() ? await fileVhost('transport-amqp-wire') : null;
const VECTORS = VECTORS_DIR.replace(/\/$/, '');
const vector = (name: string): PyMessage & { body_bytes_utf8: string } =>
  JSON.parse(readFileSync(`${VECTORS}/${name}`, 'utf8')) as PyMessage & { body_bytes_utf8: string };
const TOPOLOGY = readFileSync(`${VECTORS}/amqp-topology-rabbitmqctl.txt`, 'utf8');

/** Types of a JSON-like value, recursively (values ignored, key order kept). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v === null) return null;
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

describe.skipIf(!vhost)('amqp wire format (vectors)', () => {
  const name = vhost?.name ?? '';

  function app(extra: Parameters<typeof createApp>[0] = {}) {
    const a = createApp({ name: 'wire', broker: vhost?.url ?? '', backend: null, plugins: [qPlugin], ...extra });
    onTestFinished(() => a.close());
    return a;
  }

  async function transport() {
    const t = amqpTransport(vhost?.url ?? '');
    await t.connect();
    onTestFinished(() => t.close());
    return t;
  }

  const message = (headers: Record<string, unknown>): Message => ({
    body: new TextEncoder().encode('[[], {}, {}]'),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers,
    properties: { correlationId: 'q-1', deliveryMode: 2 },
  });

  it('reads the headers py-amqp writes, 64-bit ints (L) included', async () => {
    const t = await transport();
    await t.declareQueue({ name: 'from-py', durable: true, exclusive: false, autoDelete: false });
    pyPublish(
      name,
      'from-py',
      '[[2, 3], {}, {}]',
      { timelimit: [300, 200], retries: 0, neg: -5, big: 1099511627776, neg_big: -1099511627776, eta: null, nested: { a: [1, [2, null]], ok: true, f: 1.5 } },
      { huge: '4611686018427387905', min64: '-9223372036854775808' },
    );
    const got: Delivery[] = [];
    await t.consume('from-py', (d) => void got.push(d), { prefetch: 1 });
    await until(() => got.length === 1, 5000, 'the Python message');
    const d = got[0] as Delivery;
    expect(d.message.headers).toEqual({
      timelimit: [300, 200],
      retries: 0,
      neg: -5,
      big: 1099511627776,
      neg_big: -1099511627776,
      eta: null,
      nested: { a: [1, [2, null]], ok: true, f: 1.5 },
      huge: 4611686018427387905n,
      min64: -(2n ** 63n),
    });
    expect(d.message.properties).toMatchObject({ correlationId: 'py-1', deliveryMode: 2 });
    await d.ack();
  });

  it('writes headers py-amqp reads back equal (I / L, never b / s / l)', async () => {
    const t = await transport();
    await t.declareQueue({ name: 'to-py', durable: true, exclusive: false, autoDelete: false });
    const headers = {
      timelimit: [300, 200],
      retries: 0,
      small: [30, -1, -128, 127],
      neg: -5,
      short_neg: -300,
      big: 2 ** 40,
      neg_big: -(2 ** 40),
      unsafe: 2n ** 62n + 1n,
      nested: { a: [1, [-2, null]], s: 'x', deeper: [{ n: 65536 }] },
      flag: true,
      f: 1.5,
      none: null,
    };
    await t.publish(message(headers), { exchange: '', routingKey: 'to-py' });
    const [got] = pyGet(name, 'to-py');
    expect(got?.properties.application_headers).toEqual(headers);
    expect(got?.properties).toMatchObject({ correlation_id: 'q-1', delivery_mode: 2, priority: 0, content_type: 'application/json' });
  });

  it('declares the celery exchange, queue and binding exactly as Python does (rabbitmqctl)', async () => {
    const a = app();
    const add = a.task({ name: 'capapp.add' }, (x: number, y: number) => x + y);
    await add.delay(2, 3);
    const queue = list('queues', name, ['name', 'durable', 'auto_delete', 'exclusive', 'arguments']).find((r) => r[0] === 'celery');
    const exchange = list('exchanges', name, ['name', 'type', 'durable', 'auto_delete', 'internal', 'arguments']).find((r) => r[0] === 'celery');
    const binding = list('bindings', name, ['source_name', 'destination_name', 'routing_key', 'arguments']).find((r) => r[0] === 'celery');
    // The very lines of the capture from a Python worker.
    expect(TOPOLOGY).toContain(`\n${queue?.join('\t')}\n`);
    expect(TOPOLOGY).toContain(`\n${exchange?.join('\t')}\n`);
    expect(TOPOLOGY).toContain(`\n${binding?.join('\t')}\n`);
    expect(queue).toEqual(['celery', 'true', 'false', 'false', '[]']);
    expect(exchange).toEqual(['celery', 'direct', 'true', 'false', 'false', '[]']);
    expect(binding).toEqual(['celery', 'celery', 'celery', '[]']);
    await a.close();
    pyGet(name, 'celery');
  });

  it('declares the pidbox and celeryev exchanges and queues exactly as a Python worker does (rabbitmqctl)', async () => {
    const t = await transport();
    // The names of the capture: worker a1@cap, a client's oid, a worker's gossip receiver.
    const topologies: QueueTopology[] = [
      controlQueueTopology('a1@cap'),
      controlReplyTopology('7ab97028-37e4-3397-a75e-017ba9ee3dc1'),
      eventReceiverTopology('60e90342-eb3a-49e2-b9cb-8b88052f27ba', 'worker.#'),
    ];
    for (const { exchange, queue, binding } of topologies) {
      await t.declareExchange(exchange);
      await t.declareQueue(queue);
      await t.bindQueue(binding);
    }
    const names = new Set(topologies.flatMap((x) => [x.queue.name, x.exchange.name]));
    const lines = [
      ...list('queues', name, ['name', 'durable', 'auto_delete', 'exclusive', 'arguments']),
      ...list('exchanges', name, ['name', 'type', 'durable', 'auto_delete', 'internal', 'arguments']),
      // (the capture's last binding line lacks its arguments column: bindings are compared without it; all have none)
      ...list('bindings', name, ['source_name', 'destination_name', 'routing_key']).filter((r) => r[0] !== ''),
    ].filter((r) => names.has(r[0] ?? ''));
    expect(lines).toHaveLength(9);
    const captured = TOPOLOGY.split('\n');
    for (const line of lines.map((r) => r.join('\t'))) expect(captured.filter((c) => c === line || c === `${line}\t[]`), line).toHaveLength(1);
  });

  it('publishes a task to the default exchange with the properties and header types Python sends', async () => {
    const a = app();
    const add = a.task({ name: 'capapp.add' }, (x: number, y: number) => x + y);
    const sent = await add.delay(2, 3);
    const [got] = pyGet(name, 'celery');
    const want = vector('amqp-task-headers.json');
    expect(got?.delivery_info).toMatchObject({ exchange: '', routing_key: 'celery', redelivered: false });
    expect(Object.keys(got?.properties ?? {}).sort()).toEqual(Object.keys(want.properties).sort());
    expect(shape(got?.properties)).toEqual(shape(want.properties));
    expect(got?.properties).toMatchObject({ content_type: 'application/json', content_encoding: 'utf-8', delivery_mode: 2, priority: 0, correlation_id: sent.id });
    expect(got?.properties.application_headers).toMatchObject({ id: sent.id, task: 'capapp.add', retries: 0, timelimit: [null, null], group: null, eta: null });
    expect(JSON.parse(got?.body ?? 'null')).toEqual(JSON.parse(want.body_bytes_utf8));
  });

  it('sends countdown, expires, priority and time limits as Python does (expiration in ms, timelimit ints)', async () => {
    const a = app({ task: { queueMaxPriority: 10, defaultQueue: 'prio' } });
    const add = a.task({ name: 'capapp.add' }, (x: number, y: number) => x + y);
    await add.applyAsync([2, 3], {}, { countdown: 30, expires: 600, priority: 5, timeLimit: 60, softTimeLimit: 50 });
    const [got] = pyGet(name, 'prio');
    const want = vector('amqp-task-alloptions.json');
    expect(shape(got?.properties)).toEqual(shape({ ...want.properties }));
    expect(got?.properties).toMatchObject({ priority: 5, expiration: '600000', delivery_mode: 2 });
    expect(got?.properties.application_headers).toMatchObject({ timelimit: [60, 50], retries: 0 });
    expect(list('queues', name, ['name', 'durable', 'arguments']).find((r) => r[0] === 'prio')).toEqual(['prio', 'true', '[{"x-max-priority",10}]']);
  });
});
