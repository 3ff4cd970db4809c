import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve-config.js';
import type { Transport } from '../contracts/transport.js';
import { broadcastQueue, consumedQueueTopology, isBroadcastQueue } from './broadcast-queue.js';
import { checkTransportSupport } from './check-transport-support.js';
import { queueTopology, resolveRoute } from './routing.js';

// Python 5.2.6, `task_queues=(Broadcast('bc'),)`: queue `bcast.<uuid4>` alias `bc`, exchange `bc` fanout (durable),
// routing key `celery` (Celery's `Queues._add` default), durable, auto-delete.
const conf = resolveConfig({ task: { queues: [broadcastQueue('bc'), { name: 'celery' }], routes: { 'tasks.reload': { queue: 'bc' } } } });

describe('broadcast queues', () => {
  it("resolve as kombu's Broadcast: fanout exchange named after the queue, Celery's default routing key, auto-delete", () => {
    expect(conf.task.queues[0]).toMatchObject({ name: 'bc', broadcast: true, exchange: 'bc', exchangeType: 'fanout', routingKey: 'celery', durable: true, autoDelete: true });
    expect(isBroadcastQueue(conf, 'bc')).toBe(true);
    expect(isBroadcastQueue(conf, 'celery')).toBe(false);
    expect(broadcastQueue('bc', { exchange: 'bx', routingKey: 'k' })).toEqual({ name: 'bc', broadcast: true, exchange: 'bx', routingKey: 'k' });
  });

  it('a task routed to one is published to its fanout exchange with the binding key (what kombu Redis subscribes to)', () => {
    expect(resolveRoute(conf, 'tasks.reload')).toMatchObject({ queue: 'bc', exchange: 'bc', routingKey: 'celery', exchangeType: 'fanout' });
    expect(resolveRoute(conf, 'tasks.other', { queue: 'bc' })).toMatchObject({ exchange: 'bc', routingKey: 'celery' });
  });

  it('each consumer gets a bcast.<uuid4> queue of its own bound to the exchange; other queues are as declared', () => {
    const a = consumedQueueTopology(conf, 'bc');
    const b = consumedQueueTopology(conf, 'bc');
    expect(a.queue.name).toMatch(/^bcast\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.queue.name).not.toBe(a.queue.name);
    expect(consumedQueueTopology(conf, 'bc', 'x1')).toEqual({
      queue: { name: 'bcast.x1', durable: true, exclusive: false, autoDelete: true },
      exchange: { name: 'bc', type: 'fanout', durable: true, autoDelete: false },
      binding: { queue: 'bcast.x1', exchange: 'bc', routingKey: 'celery' },
    });
    expect(consumedQueueTopology(conf, 'celery')).toEqual(queueTopology(conf, 'celery'));
  });

  it('a transport without fanout refuses the configuration at connect', () => {
    const transport = { capabilities: { fanout: false, topic: false }, describe: () => 'nofanout://' } as unknown as Transport;
    expect(() => checkTransportSupport(transport, conf)).toThrow(expect.objectContaining({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED', message: expect.stringContaining('"bc"') }));
  });
});
