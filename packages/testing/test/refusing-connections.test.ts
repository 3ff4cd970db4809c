import { ConnectionError, memoryQueueDriver, virtualTransport } from '@q/core';
import { describe, expect, it } from 'vitest';
import { createTestApp, refusingConnections } from '../src/index.js';

describe('refusingConnections', () => {
  it('refuses the first connects with a retryable ConnectionError, then connects; counts connects and closes', async () => {
    const { adapter, stats } = refusingConnections(virtualTransport(memoryQueueDriver()), 2, 'nobody home');
    for (let i = 0; i < 2; i++) {
      const error = await adapter.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', message: 'nobody home', retryable: true });
    }
    await adapter.connect();
    await adapter.close();
    expect(stats).toEqual({ connects: 3, closes: 1 });
  });

  it('is retried by an app as a refused broker is', async () => {
    const { adapter, stats } = refusingConnections(virtualTransport(memoryQueueDriver()), 1);
    const app = createTestApp({ broker: adapter, brokerOptions: { connectionMaxRetries: 1 } });
    try {
      await app.getTransport();
      expect(stats.connects).toBe(2);
    } finally {
      await app.close();
    }
    expect(stats.closes).toBe(1);
  });
});
