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
});
