import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import type { Transport } from '../contracts/transport.js';
import { broadcastQueue } from '../routing/broadcast-queue.js';
import { workerDirect } from '../routing/worker-direct.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';

/** A memory transport that records what is declared and published. */
function recordingTransport(log: string[]): Transport {
  const inner = virtualTransport(memoryQueueDriver({ namespace: `producer-declare-${process.pid}-${Math.random()}` }));
  const own: Partial<Transport> = {
    declareExchange: (e) => (log.push(`exchange ${e.name} ${e.type}`), inner.declareExchange(e)),
    declareQueue: (q) => (log.push(`queue ${q.name}`), inner.declareQueue(q)),
    bindQueue: (b) => (log.push(`bind ${b.queue} ${b.exchange} ${b.routingKey}`), inner.bindQueue(b)),
    publish: (m, t) => (log.push(`publish ${t.exchange} ${t.routingKey}`), inner.publish(m, t)),
  };
  return new Proxy(inner, {
    get(target, key) {
      const value: unknown = (own as Record<string | symbol, unknown>)[key] ?? Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('what the producer declares before publishing', () => {
  it("a broadcast queue: only its fanout exchange (the queues are the workers' own), as Celery declares no Broadcast", async () => {
    const log: string[] = [];
    const app = createApp({ broker: recordingTransport(log), backend: null, task: { queues: [broadcastQueue('bc')] } });
    await app.sendTask('tasks.reload', [], {}, { queue: 'bc' });
    expect(log).toEqual(['exchange bc fanout', 'publish bc celery']);
    await app.close();
  });

  it("a worker's direct queue: as Celery's worker_direct(nodename), on C.dq2 (no exchange named after the queue)", async () => {
    const log: string[] = [];
    const app = createApp({ broker: recordingTransport(log), backend: null });
    await app.sendTask('tasks.flush', [], {}, workerDirect('celery@alpha'));
    expect(log).toEqual(['exchange C.dq2 direct', 'queue celery@alpha.dq2', 'bind celery@alpha.dq2 C.dq2 celery@alpha', 'publish C.dq2 celery@alpha']);
    await app.close();
  });
});
