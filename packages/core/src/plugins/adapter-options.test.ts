import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { silentLogger } from '../contracts/logger.js';
import type { PluginApi, UrlFactoryContext } from '../contracts/plugin.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { withDefaultOption } from './adapter-options.js';

const ctxOf = (url: string, options: Record<string, unknown> = {}): UrlFactoryContext => ({ url, parsed: new URL(url), options, logger: silentLogger });

describe('withDefaultOption', () => {
  it('fills in an option the adapter options and the URL query leave unset', () => {
    expect(withDefaultOption(ctxOf('x://h', { a: 1 }), 'connect_timeout', 7)).toEqual({ a: 1, connect_timeout: 7 });
  });

  it('keeps an option given in the adapter options or in the URL query, and ignores an undefined default', () => {
    expect(withDefaultOption(ctxOf('x://h', { connect_timeout: 2 }), 'connect_timeout', 7)).toEqual({ connect_timeout: 2 });
    expect(withDefaultOption(ctxOf('x://h/?connect_timeout=3'), 'connect_timeout', 7)).toEqual({});
    expect(withDefaultOption(ctxOf('x://h'), 'connect_timeout', undefined)).toEqual({});
  });

  it('fills in an option whose query value is empty (`?key=` counts as not set)', () => {
    expect(withDefaultOption(ctxOf('x://h/?connect_timeout='), 'connect_timeout', 7)).toEqual({ connect_timeout: 7 });
  });
});

describe('brokerOptions.connectionTimeout', () => {
  it('reaches broker URL factories as connectTimeoutMs, not backend factories', async () => {
    const seen: { transport?: UrlFactoryContext; backend?: UrlFactoryContext } = {};
    const app = createApp({
      name: 'cto',
      broker: 'cto://h',
      backend: 'cto://h',
      brokerOptions: { connectionTimeout: 7 },
      plugins: [
        {
          name: 'capture',
          setup(api) {
            api.transport('cto', (ctx) => ((seen.transport = ctx), memoryQueueDriver({ namespace: 'cto' })));
            api.backend('cto', (ctx) => ((seen.backend = ctx), memoryKeyValueDriver({ namespace: 'cto' })));
          },
        },
      ],
    });
    try {
      await app.getTransport();
      await app.getBackend();
      expect(seen.transport?.connectTimeoutMs).toBe(7000);
      expect(seen.backend).toBeDefined();
      expect(seen.backend?.connectTimeoutMs).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('brokerOptions.visibilityTimeout', () => {
  it('reaches broker URL factories as visibilityTimeoutMs when set, not backend factories; absent when unset', async () => {
    const seen: { transport?: UrlFactoryContext; backend?: UrlFactoryContext } = {};
    const capture = {
      name: 'capture',
      setup(api: PluginApi) {
        api.transport('vto', (ctx) => ((seen.transport = ctx), memoryQueueDriver({ namespace: 'vto' })));
        api.backend('vto', (ctx) => ((seen.backend = ctx), memoryKeyValueDriver({ namespace: 'vto' })));
      },
    };
    for (const [visibilityTimeout, expected] of [[600, 600_000], [undefined, undefined]] as const) {
      const app = createApp({
        name: 'vto',
        broker: 'vto://h',
        backend: 'vto://h',
        brokerOptions: visibilityTimeout === undefined ? {} : { visibilityTimeout },
        plugins: [capture],
      });
      try {
        await app.getTransport();
        await app.getBackend();
        expect(seen.transport?.visibilityTimeoutMs).toBe(expected);
        expect(seen.transport !== undefined && 'visibilityTimeoutMs' in seen.transport).toBe(expected !== undefined);
        expect(seen.backend).toBeDefined();
        expect(seen.backend?.visibilityTimeoutMs).toBeUndefined();
      } finally {
        await app.close();
      }
    }
  });
});
