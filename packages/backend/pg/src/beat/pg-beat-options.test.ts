import type { BeatLockFactory, BeatStateContext, BeatStoreFactory, PluginApi } from '@q/core';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { qPlugin } from '../plugin.js';
import { resolvePgBeatOptions } from './pg-beat-options.js';

describe('resolvePgBeatOptions', () => {
  it('defaults to public.q_beat_state and the name celery; Celery URL forms become a pg connection string', () => {
    expect(resolvePgBeatOptions({ url: 'db+postgresql://u:p@db:5432/app' })).toEqual({
      connectionString: 'postgresql://u:p@db:5432/app',
      name: 'celery',
      schema: 'public',
      table: 'q_beat_state',
      qualified: '"public"."q_beat_state"',
    });
  });

  it('refuses a schema or table that is not a plain identifier, and another scheme', () => {
    expect(() => resolvePgBeatOptions({ schema: 'a"b' })).toThrow(expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID' }));
    expect(() => resolvePgBeatOptions({ table: 'x y' })).toThrow(/beat table: "x y" is not a plain PostgreSQL identifier/);
    expect(() => resolvePgBeatOptions({ url: 'redis://x' })).toThrow(expect.objectContaining({ code: 'Q_ERR_URL_INVALID' }));
  });
});

describe('qPlugin beat registrations', () => {
  it('registers the beat store and lock for the postgres schemes, named by the schedule', async () => {
    const stores: { schemes: string | readonly string[]; factory: BeatStoreFactory }[] = [];
    const locks: { schemes: string | readonly string[]; factory: BeatLockFactory }[] = [];
    const api = {
      backend: () => undefined,
      beatStore: (schemes: string | readonly string[], factory: BeatStoreFactory) => stores.push({ schemes, factory }),
      beatLock: (schemes: string | readonly string[], factory: BeatLockFactory) => locks.push({ schemes, factory }),
      logger: silentLogger,
    } as unknown as PluginApi;
    await qPlugin.setup(api);
    const schemes = ['postgresql', 'postgres', 'db+postgresql', 'db+postgresql+psycopg2'];
    expect(stores.map((r) => r.schemes)).toEqual([schemes]);
    expect(locks.map((r) => r.schemes)).toEqual([schemes]);
    const url = 'postgresql://app:secret@db:5432/app';
    const ctx: BeatStateContext = { url, parsed: new URL(url), name: 'billing', logger: silentLogger };
    expect(stores[0]?.factory(ctx).describe()).toBe('postgresql://app:***@db:5432/app table "public"."q_beat_state" name billing');
    expect(locks[0]?.factory(ctx).describe()).toBe('postgresql://app:***@db:5432/app advisory lock q-beat:billing');
  });
});
