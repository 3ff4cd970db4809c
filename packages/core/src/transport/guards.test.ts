import { describe, expect, it } from 'vitest';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import { isKeyValueDriver, isQueueDriver } from './guards.js';
import { memoryQueueDriver } from './memory-queue-driver.js';
import { virtualTransport } from './virtual-transport.js';

describe('guards', () => {
  it('tell the tiers apart by shape', () => {
    const queueDriver = memoryQueueDriver({ namespace: 'guards' });
    const kv = memoryKeyValueDriver({ namespace: 'guards' });
    expect(isQueueDriver(queueDriver)).toBe(true);
    expect(isQueueDriver(virtualTransport(queueDriver))).toBe(false);
    expect(isQueueDriver(kv)).toBe(false);
    expect(isKeyValueDriver(kv)).toBe(true);
    expect(isKeyValueDriver(keyValueBackend(kv))).toBe(false);
    expect(isKeyValueDriver(queueDriver)).toBe(false);
    for (const x of [null, undefined, 'memory://', 42, {}, { put() {}, reserve() {} }]) {
      expect(isQueueDriver(x)).toBe(false);
      expect(isKeyValueDriver(x)).toBe(false);
    }
  });
});
