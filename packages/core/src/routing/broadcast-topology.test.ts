import { describe, expect, it } from 'vitest';
import { controlQueueTopology, controlReplyTopology, eventReceiverTopology } from './broadcast-topology.js';

// Spec §3.1: what Celery 5.2.6 declares for remote control and events.
describe('broadcast topology', () => {
  it("a worker's control queue: <nodename>.celery.pidbox on the fanout celery.pidbox, x-expires 10 s, ttl 300 s", () => {
    expect(controlQueueTopology('a1@cap')).toEqual({
      queue: { name: 'a1@cap.celery.pidbox', durable: false, exclusive: false, autoDelete: true, arguments: { 'x-expires': 10000, 'x-message-ttl': 300000 } },
      exchange: { name: 'celery.pidbox', type: 'fanout', durable: false, autoDelete: false },
      binding: { queue: 'a1@cap.celery.pidbox', exchange: 'celery.pidbox', routingKey: '' },
    });
  });

  it("a client's reply queue: <oid>.reply.celery.pidbox on the direct reply.celery.pidbox, routed by the oid", () => {
    const t = controlReplyTopology('7ab9');
    expect(t.queue).toMatchObject({ name: '7ab9.reply.celery.pidbox', durable: false, autoDelete: true, arguments: { 'x-expires': 10000, 'x-message-ttl': 300000 } });
    expect(t.exchange).toEqual({ name: 'reply.celery.pidbox', type: 'direct', durable: false, autoDelete: false });
    expect(t.binding).toEqual({ queue: '7ab9.reply.celery.pidbox', exchange: 'reply.celery.pidbox', routingKey: '7ab9' });
  });

  it('an event receiver: celeryev.<id> on the durable topic celeryev, x-expires 60 s, ttl 5 s', () => {
    const t = eventReceiverTopology('60e9', 'worker.#');
    expect(t.queue).toEqual({ name: 'celeryev.60e9', durable: false, exclusive: false, autoDelete: true, arguments: { 'x-expires': 60000, 'x-message-ttl': 5000 } });
    expect(t.exchange).toEqual({ name: 'celeryev', type: 'topic', durable: true, autoDelete: false });
    expect(t.binding.routingKey).toBe('worker.#');
  });

  it("follows Celery's settings: control_exchange, event_queue_prefix, expiries", () => {
    const t = controlQueueTopology('w', { controlExchange: 'proj', controlQueueExpires: 2.5, controlQueueTtl: 1 });
    expect(t.exchange.name).toBe('proj.pidbox');
    expect(t.queue.name).toBe('w.proj.pidbox');
    expect(t.queue.arguments).toEqual({ 'x-expires': 2500, 'x-message-ttl': 1000 });
    expect(eventReceiverTopology('x', '#', { eventQueuePrefix: 'mon', eventExchange: 'ev' }).binding).toEqual({ queue: 'mon.x', exchange: 'ev', routingKey: '#' });
  });
});
