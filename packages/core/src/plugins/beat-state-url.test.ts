import { describe, expect, it } from 'vitest';
import type { BeatLock, BeatStateContext, BeatStore } from '../contracts/beat-state.js';
import { silentLogger } from '../contracts/logger.js';
import type { Plugin } from '../contracts/plugin.js';
import type { Schedule, ScheduleJson } from '../contracts/schedule.js';
import { ConfigError, PluginError } from '../errors/q-error.js';
import { resolveBeatLockUrl, resolveBeatStoreUrl } from './beat-state-url.js';
import { PluginHost } from './plugin-host.js';

const seen: BeatStateContext[] = [];
const store = (ctx: BeatStateContext): BeatStore => {
  seen.push(ctx);
  return { load: async () => null, save: async () => undefined, close: async () => undefined, describe: () => `kv ${ctx.name}` };
};
const lock = (ctx: BeatStateContext): BeatLock => ({
  acquire: async () => true,
  release: async () => undefined,
  close: async () => undefined,
  describe: () => `kv lock ${ctx.name}`,
});
const kvPlugin: Plugin = { name: 'kv', setup: (api) => { api.beatStore(['kv', 'KVS:'], store); api.beatLock('kv', lock); } };
const ctxOf = (host: PluginHost, extra: object = {}) => ({ host, resolveFrom: process.cwd(), name: 'nightly', logger: silentLogger, ...extra });

describe('PluginHost: schedule kinds, beat stores and locks', () => {
  it('keeps what plugins register, schemes lowercased', async () => {
    const host = new PluginHost();
    const fromJSON = (json: ScheduleJson): Schedule => ({ kind: json.kind, nextAfter: (d) => d, isDue: () => ({ due: false, nextInMs: 1 }), toJSON: () => json, describe: () => 'x' });
    await host.use(kvPlugin);
    await host.use({ name: 'tides', setup: (api) => api.schedule({ kind: 'tide', fromJSON }) });
    expect(host.beatStoreSchemes()).toEqual(['kv', 'kvs']);
    expect(host.beatLockSchemes()).toEqual(['kv']);
    expect(host.beatStoreFactory('KV')).toBe(store);
    expect(host.beatLockFactory('kvs')).toBeUndefined();
    expect(host.scheduleKinds()).toEqual(['tide']);
    expect(host.scheduleKind('tide')?.fromJSON).toBe(fromJSON);
  });

  it('refuses a schedule registration without a kind, naming the plugin', async () => {
    const err = await new PluginHost().use({ name: 'p', setup: (api) => api.schedule({ kind: '' } as never) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).message).toMatch(/plugin "p" registered a schedule without a kind/);
  });
});

describe('resolveBeatStoreUrl / resolveBeatLockUrl', () => {
  it('build the store and lock a registered scheme names, with the schedule name', async () => {
    const host = new PluginHost();
    await host.use(kvPlugin);
    const s = await resolveBeatStoreUrl('kv://host:1/0', ctxOf(host));
    expect(s.describe()).toBe('kv nightly');
    expect(seen.at(-1)?.parsed.host).toBe('host:1');
    expect((await resolveBeatLockUrl('kv://h', ctxOf(host))).describe()).toBe('kv lock nightly');
  });

  it("load a result-backend package's plugin for its scheme", async () => {
    const host = new PluginHost();
    const imported: string[] = [];
    const importPlugin = async (pkg: string): Promise<Plugin> => {
      imported.push(pkg);
      return kvPlugin;
    };
    const packages = { transport: {}, backend: { kv: '@q/backend-kv' } };
    await resolveBeatStoreUrl('kv://h', ctxOf(host, { packages, importPlugin }));
    await resolveBeatLockUrl('kv://h', ctxOf(host, { packages, importPlugin }));
    expect(imported).toEqual(['@q/backend-kv']);
    expect(host.names()).toEqual(['kv']);
  });

  it('report an unknown scheme with the known ones, and a package that cannot load', async () => {
    const host = new PluginHost();
    await host.use(kvPlugin);
    const err = await resolveBeatStoreUrl('kx://h', ctxOf(host, { packages: { transport: {}, backend: {} } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN', message: 'unknown beat store URL scheme "kx://" (did you mean kv://?); known schemes: kv://, kvs://' });
    const none = await resolveBeatLockUrl('zz://h', ctxOf(new PluginHost(), { packages: { transport: {}, backend: {} } })).catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/known schemes: none/);
    const missing = await resolveBeatLockUrl('zz://h', ctxOf(new PluginHost(), {
      packages: { transport: {}, backend: { zz: '@q/backend-zz' } },
      importPlugin: () => Promise.reject(new Error('not found')),
    })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
    expect((missing as Error).message).toMatch(/needs the package @q\/backend-zz/);
    await expect(resolveBeatStoreUrl('not a url', ctxOf(host))).rejects.toMatchObject({ code: 'Q_ERR_URL_INVALID' });
  });
});
