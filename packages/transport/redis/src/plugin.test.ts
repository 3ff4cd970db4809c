/** The plugin hands the URL, the options and the app's connect timeout (as socket_connect_timeout) to redisTransport. */
import { silentLogger } from '@q/core';
import type { PluginApi, TransportFactory } from '@q/core';
import { describe, expect, it, vi } from 'vitest';

const made: unknown[] = [];
vi.mock('./redis-transport.js', () => ({ redisTransport: (o: unknown) => (made.push(o), {}) }));
const { qPlugin, REDIS_SCHEMES } = await import('./plugin.js');

describe('qPlugin', () => {
  it("registers the Redis schemes; the app's connect timeout fills socket_connect_timeout unless set", async () => {
    let schemes: readonly string[] = [];
    let factory: TransportFactory | undefined;
    await qPlugin.setup({ transport: (s: readonly string[], f: TransportFactory) => void ((schemes = s), (factory = f)) } as unknown as PluginApi);
    expect(schemes).toEqual(REDIS_SCHEMES);
    const make = (url: string, options: Record<string, unknown> = {}) => {
      factory?.({ url, parsed: new URL(url), options, logger: silentLogger, connectTimeoutMs: 7000 });
      return (made.at(-1) as { transportOptions: Record<string, unknown> }).transportOptions;
    };
    expect(make('redis://h/0', { visibility_timeout: 10 })).toEqual({ visibility_timeout: 10, socket_connect_timeout: 7 });
    expect(make('redis://h/0', { socket_connect_timeout: 2 })).toEqual({ socket_connect_timeout: 2 });
    expect(make('redis://h/0?socket_connect_timeout=3')).toEqual({});
  });
});
