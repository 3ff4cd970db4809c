import type { BackendFactory, BeatLockFactory, BeatStateContext, BeatStoreFactory, PluginApi, UrlFactoryContext } from '@q/core';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { qPlugin } from './plugin.js';
import type { RedisBackend } from './redis-backend.js';

describe('qPlugin', () => {
  it('registers the redis, rediss, redis+socket and sentinel backend schemes', async () => {
    const registered: { schemes: readonly string[]; factory: BackendFactory }[] = [];
    const api = {
      backend: (schemes: string | readonly string[], factory: BackendFactory) =>
        registered.push({ schemes: typeof schemes === 'string' ? [schemes] : schemes, factory }),
      beatStore: () => undefined,
      beatLock: () => undefined,
      logger: silentLogger,
    } as unknown as PluginApi;
    await qPlugin.setup(api);
    expect(qPlugin.name).toBe('@q/backend-redis');
    expect(registered.map((r) => r.schemes)).toEqual([['redis', 'rediss', 'redis+socket', 'sentinel']]);

    const url = 'redis://:secret@127.0.0.1:6399/4';
    const ctx: UrlFactoryContext = { url, parsed: new URL(url), options: {}, logger: silentLogger };
    const backend = registered[0]?.factory(ctx) as RedisBackend;
    expect(backend.capabilities).toEqual({ push: true, chords: 'native', groups: true, autoExpire: true });
    expect(backend.describe()).toBe('redis://:***@127.0.0.1:6399/4');
    expect(backend.driver.client.options).toMatchObject({ port: 6399, db: 4, password: 'secret', lazyConnect: true });
    await backend.close();
  });

  it('registers the beat store and lock for the same schemes, named by the schedule', async () => {
    const stores: { schemes: string | readonly string[]; factory: BeatStoreFactory }[] = [];
    const locks: { schemes: string | readonly string[]; factory: BeatLockFactory }[] = [];
    const api = {
      backend: () => undefined,
      beatStore: (schemes: string | readonly string[], factory: BeatStoreFactory) => stores.push({ schemes, factory }),
      beatLock: (schemes: string | readonly string[], factory: BeatLockFactory) => locks.push({ schemes, factory }),
      logger: silentLogger,
    } as unknown as PluginApi;
    await qPlugin.setup(api);
    expect(stores.map((r) => r.schemes)).toEqual([['redis', 'rediss', 'redis+socket', 'sentinel']]);
    expect(locks.map((r) => r.schemes)).toEqual([['redis', 'rediss', 'redis+socket', 'sentinel']]);
    const url = 'redis://:secret@127.0.0.1:6399/4';
    const ctx: BeatStateContext = { url, parsed: new URL(url), name: 'billing', logger: silentLogger };
    const store = stores[0]?.factory(ctx);
    const lock = locks[0]?.factory(ctx);
    expect(store?.describe()).toBe('redis://:***@127.0.0.1:6399/4 key q:beat:billing:state');
    expect(lock?.describe()).toBe('redis://:***@127.0.0.1:6399/4 key q:beat:billing:lock');
    await store?.close();
    await lock?.close();
  });
});
