import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../protocol/envelope.js';
import { memoryQueueDriver } from './memory-queue-driver.js';

const env = (tag: string): string =>
  encodeEnvelope(
    { body: new TextEncoder().encode(tag), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} },
    { exchange: '', routingKey: 'q', deliveryTag: tag },
  );
const ns = (): string => `mq-${Math.random().toString(36).slice(2)}`;

describe('memoryQueueDriver', () => {
  it('shares queues within a namespace and isolates namespaces', async () => {
    const namespace = ns();
    await memoryQueueDriver({ namespace }).put('q', env('a'), { priority: 0, tag: 'a' });
    expect(await memoryQueueDriver({ namespace: ns() }).size?.('q')).toBe(0);
    const [lease] = await memoryQueueDriver({ namespace }).reserve(['q'], { max: 1, waitMs: 0 });
    expect(lease?.tag).toBe('a');
  });

  it('with nativeDelay: a purge removes delayed messages too, which then never arrive', async () => {
    const driver = memoryQueueDriver({ namespace: ns(), nativeDelay: { maxDelayMs: 60_000 } });
    await driver.put('q', env('later'), { priority: 0, tag: 'later', delayMs: 100 });
    await driver.put('q', env('now'), { priority: 0, tag: 'now' });
    expect(await driver.size?.('q')).toBe(1);
    expect(await driver.purge('q')).toBe(2);
    expect(await driver.reserve(['q'], { max: 10, waitMs: 300 })).toEqual([]);
  });

  it('a blocking reserve wakes as soon as a message is put', async () => {
    const driver = memoryQueueDriver({ namespace: ns() });
    const started = Date.now();
    const pending = driver.reserve(['q'], { max: 1, waitMs: 5000 });
    setTimeout(() => void driver.put('q', env('late'), { priority: 0, tag: 'late' }), 20);
    expect((await pending).map((l) => l.tag)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('close requeues the leases this instance holds, not those of others', async () => {
    const namespace = ns();
    const a = memoryQueueDriver({ namespace });
    const b = memoryQueueDriver({ namespace });
    await a.put('q', env('1'), { priority: 0, tag: '1' });
    await a.put('q', env('2'), { priority: 0, tag: '2' });
    await a.reserve(['q'], { max: 1, waitMs: 0 });
    await b.reserve(['q'], { max: 1, waitMs: 0 });
    await a.close();
    expect(await b.size?.('q')).toBe(1);
    const [again] = await b.reserve(['q'], { max: 5, waitMs: 0 });
    expect(again?.tag).toBe('1');
  });

  it('ack or release of a lease already settled does nothing', async () => {
    const driver = memoryQueueDriver({ namespace: ns() });
    await driver.put('q', env('x'), { priority: 0, tag: 'x' });
    const [lease] = await driver.reserve(['q'], { max: 1, waitMs: 0 });
    if (!lease) throw new Error('no lease');
    await driver.ack(lease);
    await driver.release(lease);
    expect(await driver.size?.('q')).toBe(0);
  });
});
