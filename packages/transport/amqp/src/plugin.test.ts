/** The plugin registers amqp, amqps and pyamqp, handing the whole URL (failover lists too) and options over. */
import type { PluginApi, TransportFactory } from '@q/core';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { qPlugin } from './plugin.js';

describe('qPlugin', () => {
  it('registers the AMQP schemes with a factory that builds the transport from ctx', async () => {
    let schemes: readonly string[] = [];
    let factory: TransportFactory | undefined;
    const api = {
      transport(s: string | readonly string[], f: TransportFactory) {
        schemes = typeof s === 'string' ? [s] : s;
        factory = f;
      },
    } as unknown as PluginApi;
    await qPlugin.setup(api);
    expect([...schemes]).toEqual(['amqp', 'amqps', 'pyamqp']);
    const url = 'pyamqp://u:pw@a//;amqp://u:pw@b/v';
    const t = factory?.({ url, parsed: new URL('pyamqp://u:pw@a//'), options: { heartbeat: 10 }, logger: silentLogger });
    expect(t).toBeInstanceOf(AmqpTransport);
    const amqp = t as AmqpTransport;
    expect(amqp.describe()).toBe('pyamqp://u:***@a//;amqp://u:***@b/v');
    expect(amqp.options.endpoints.map((e) => e.hostname)).toEqual(['a', 'b']);
    expect(amqp.options.heartbeatS).toBe(10);
    expect(amqp.capabilities).toEqual({ priorities: 'native', nativeDelay: false, fanout: true, topic: true, push: true, redeliversUnacked: 'immediate' });
  });

  it("takes the app's connect timeout (brokerOptions.connectionTimeout) unless connect_timeout is set", async () => {
    let factory: TransportFactory | undefined;
    await qPlugin.setup({ transport: (_s: unknown, f: TransportFactory) => void (factory = f) } as unknown as PluginApi);
    const make = (url: string, options: Record<string, unknown> = {}) =>
      factory?.({ url, parsed: new URL(url), options, logger: silentLogger, connectTimeoutMs: 7000 }) as AmqpTransport;
    expect(make('amqp://h//').options.connectTimeoutMs).toBe(7000);
    expect(make('amqp://h//', { connect_timeout: 2 }).options.connectTimeoutMs).toBe(2000);
    expect(make('amqp://h//?connect_timeout=3').options.connectTimeoutMs).toBe(3000);
  });
});
