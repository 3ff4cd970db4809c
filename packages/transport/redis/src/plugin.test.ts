/**
 * The plugin hands the URL, the options, the app's connect timeout (as socket_connect_timeout) and visibility timeout
 * (as visibility_timeout) to redisTransport.
 */
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

  it("the app's brokerOptions.visibilityTimeout fills visibility_timeout unless the transport options or the URL query set it", async () => {
    let factory: TransportFactory | undefined;
    await qPlugin.setup({ transport: (_s: readonly string[], f: TransportFactory) => void (factory = f) } as unknown as PluginApi);
    const make = (url: string, options: Record<string, unknown> = {}, visibilityTimeoutMs: number | null = 600_000) => {
      const ctx = { url, parsed: new URL(url), options, logger: silentLogger, connectTimeoutMs: 4000 };
      factory?.(visibilityTimeoutMs === null ? ctx : { ...ctx, visibilityTimeoutMs });
      return (made.at(-1) as { transportOptions: Record<string, unknown> }).transportOptions;
    };
    expect(make('redis://h/0')).toEqual({ socket_connect_timeout: 4, visibility_timeout: 600 });
    expect(make('redis://h/0', { visibility_timeout: 30 })).toEqual({ visibility_timeout: 30, socket_connect_timeout: 4 });
    expect(make('redis://h/0?visibility_timeout=90')).toEqual({ socket_connect_timeout: 4 });
    // not set on the app: the transport's own default (kombu's 3600 s) applies
    expect(make('redis://h/0', {}, null)).toEqual({ socket_connect_timeout: 4 });
  });

  it('hands redisTransport options that resolve to the visibility timeout of the app, the transport options or the URL', async () => {
    const { resolveRedisOptions } = await import('./options.js');
    let factory: TransportFactory | undefined;
    await qPlugin.setup({ transport: (_s: readonly string[], f: TransportFactory) => void (factory = f) } as unknown as PluginApi);
    const resolved = (url: string, options: Record<string, unknown> = {}, visibilityTimeoutMs?: number) => {
      const ctx = { url, parsed: new URL(url), options, logger: silentLogger };
      factory?.(visibilityTimeoutMs === undefined ? ctx : { ...ctx, visibilityTimeoutMs });
      const o = made.at(-1) as { url: string; transportOptions: Record<string, unknown> };
      return resolveRedisOptions({ url: o.url, transportOptions: o.transportOptions }).visibilityTimeoutMs;
    };
    expect(resolved('redis://h/0', {}, 600_000)).toBe(600_000);
    expect(resolved('redis://h/0', { visibility_timeout: 30 }, 600_000)).toBe(30_000);
    expect(resolved('redis://h/0?visibility_timeout=90', {}, 600_000)).toBe(90_000);
    expect(resolved('redis://h/0?visibility_timeout=90', { visibility_timeout: 30 }, 600_000)).toBe(30_000);
    expect(resolved('redis://h/0')).toBe(3_600_000);
  });
});
