import { ConnectionError, createApp, memoryKeyValueDriver, memoryQueueDriver } from '@q/core';
import type { QueueDriver } from '@q/core';
import { recordingLogger } from '@q/testing';
import { describe, expect, it } from 'vitest';
import { connectWithin, watchConnectRetries } from '../src/connect-timeout.js';

/** A memory queue driver whose broker refuses every connection, as an unreachable Redis does. */
function unreachableDriver(): QueueDriver & { attempts: number } {
  const driver = memoryQueueDriver({ namespace: `unreachable-${Math.random()}` });
  const out = Object.assign(Object.create(driver) as QueueDriver, {
    attempts: 0,
    describe: () => 'fake transport fake://nowhere:1/0',
    connect: async () => {
      out.attempts++;
      throw new ConnectionError('Q_ERR_CONNECTION_FAILED', 'connect ECONNREFUSED nowhere:1', { retryable: true });
    },
  });
  return out;
}

describe('connectWithin (one-shot commands fail fast)', () => {
  it('gives up after the timeout with the last reason a retry gave, and ends the app\'s retries', async () => {
    const sink = recordingLogger();
    const retries = watchConnectRetries(sink);
    const broker = unreachableDriver();
    const app = createApp({ broker, backend: memoryKeyValueDriver(), logger: retries.logger });
    const started = performance.now();
    const err = await connectWithin(app, app.getTransport(), { what: 'broker', seconds: 0.5, command: 'call', retries }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe('Q_ERR_CONNECTION_FAILED');
    expect((err as Error).message).toMatch(
      /^q call gave up connecting to the broker after 0\.5 s \(last attempt: cannot connect to fake transport fake:\/\/nowhere:1\/0: connect ECONNREFUSED nowhere:1\); pass --connect-timeout <seconds> to wait longer$/,
    );
    expect(sink.messages('warn').length).toBeGreaterThan(1); // the retries were still logged, through the wrapped logger
    const attempts = broker.attempts;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(broker.attempts).toBe(attempts); // closed: no attempt after giving up
  });

  it('returns what connected in time', async () => {
    const app = { close: async () => undefined };
    const retries = watchConnectRetries(recordingLogger());
    await expect(connectWithin(app, Promise.resolve('transport'), { what: 'broker', seconds: 1, command: 'call', retries })).resolves.toBe('transport');
  });

  it('passes on a failure that comes before the timeout as it is', async () => {
    const app = { close: async () => undefined };
    const retries = watchConnectRetries(recordingLogger());
    const refused = new ConnectionError('Q_ERR_BROKER_REFUSED', 'bad password', { retryable: false });
    await expect(connectWithin(app, Promise.reject(refused), { what: 'broker', seconds: 1, command: 'call', retries })).rejects.toBe(refused);
  });

  it('waits as long as the app retries with --connect-timeout 0', async () => {
    let closed = false;
    const app = { close: async () => void (closed = true) };
    const retries = watchConnectRetries(recordingLogger());
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 300));
    await expect(connectWithin(app, late, { what: 'broker', seconds: 0, command: 'call', retries })).resolves.toBe('late');
    expect(closed).toBe(false);
  });

  it('says only the timeout when the app logs through a logger of its own', async () => {
    const app = { close: async () => undefined };
    const retries = watchConnectRetries(recordingLogger());
    const never = new Promise<never>(() => undefined);
    await expect(connectWithin(app, never, { what: 'result backend', seconds: 0.05, command: 'result', retries })).rejects.toThrow(
      'q result gave up connecting to the result backend after 0.05 s; pass --connect-timeout <seconds> to wait longer',
    );
  });
});
