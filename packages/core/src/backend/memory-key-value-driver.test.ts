import { describe, expect, it } from 'vitest';
import { memoryKeyValueDriver } from './memory-key-value-driver.js';

const ns = (): string => `mkv-${Math.random().toString(36).slice(2)}`;

describe('memoryKeyValueDriver', () => {
  it('shares keys and subscriptions within a namespace, not across', async () => {
    const namespace = ns();
    const a = memoryKeyValueDriver({ namespace });
    const b = memoryKeyValueDriver({ namespace });
    const seen: string[] = [];
    await b.subscribe?.('k', (v) => seen.push(v));
    await a.set('k', 'v', { ttlMs: null, publish: true });
    await memoryKeyValueDriver({ namespace: ns() }).set('k', 'other', { ttlMs: null, publish: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(await b.get('k')).toBe('v');
    expect(seen).toEqual(['v']);
  });

  it('incr refuses a value that is not an integer', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    await driver.set('k', 'abc', { ttlMs: null, publish: false });
    await expect(driver.incr('k', 1, null)).rejects.toMatchObject({ code: 'Q_ERR_BACKEND_FAILED' });
  });

  it('incr without ttl keeps the existing expiry', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    await driver.incr('c', 1, 50);
    await driver.incr('c', 1, null);
    await new Promise((r) => setTimeout(r, 80));
    expect(await driver.get('c')).toBeNull();
  });

  it("close() ends this driver's subscriptions (onEnd, no value after), not those unsubscribed or of another driver", async () => {
    const namespace = ns();
    const a = memoryKeyValueDriver({ namespace });
    const b = memoryKeyValueDriver({ namespace });
    const seen: string[] = [];
    const ended: unknown[] = [];
    await a.subscribe?.('k', (v) => seen.push(`a:${v}`), (err) => ended.push(err));
    const off = await a.subscribe?.('k', (v) => seen.push(`gone:${v}`), (err) => ended.push(err));
    await off?.();
    await b.subscribe?.('k', (v) => seen.push(`b:${v}`), (err) => ended.push(err));
    // The delivery of 'queued' is queued (a microtask), then the driver closes in the same turn.
    const setting = a.set('k', 'queued', { ttlMs: null, publish: true });
    const closing = a.close();
    await Promise.all([setting, closing]);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ name: 'ConnectionError', code: 'Q_ERR_CONNECTION_LOST', message: `memory backend memory://${namespace} is closed` });
    await b.set('k', 'later', { ttlMs: null, publish: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['b:queued', 'b:later']);
    // The keys stay and the driver still works.
    expect(await a.get('k')).toBe('later');
    await a.subscribe?.('k', (v) => seen.push(`a2:${v}`));
    await a.close();
    await b.set('k', 'again', { ttlMs: null, publish: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(seen.slice(2)).toEqual(['b:again']);
  });
});
