import { describe, expect, it } from 'vitest';
import type { HookPayloads } from '../contracts/hooks.js';
import type { Plugin } from '../contracts/plugin.js';
import { PluginError } from '../errors/q-error.js';
import { createDefaultRegistry } from '../serialization/registry.js';
import { CORE_VERSION } from '../version.js';
import { PluginHost } from './plugin-host.js';

const publishPayload = (): HookPayloads['beforePublish'] => ({
  taskId: 't', taskName: 'n', exchange: '', routingKey: 'celery',
  message: { body: new Uint8Array(), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} },
});

describe('PluginHost', () => {
  it('refuses a second plugin with the same name', async () => {
    const host = new PluginHost();
    await host.use({ name: 'p', setup() {} });
    const err = await host.use({ name: 'p', setup() {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).code).toBe('Q_ERR_PLUGIN_DUPLICATE');
  });

  it('keeps what setup registers: schemes, serializers, codecs, pools, bootsteps', async () => {
    const registry = createDefaultRegistry();
    const host = new PluginHost({ serializers: registry });
    const transport = () => { throw new Error('unused'); };
    const pool = () => { throw new Error('unused'); };
    await host.use({
      name: 'kit',
      async setup(api) {
        await Promise.resolve();
        api.transport(['Redis', 'rediss:'], transport);
        api.backend('redis', transport);
        api.serializer({ name: 'text', contentType: 'text/plain', contentEncoding: 'utf-8', encode: (v) => new TextEncoder().encode(String(v)), decode: (b) => new TextDecoder().decode(b) });
        api.codec({ name: 'id', contentType: 'application/x-id', encode: async (b) => b, decode: async (b) => b });
        api.pool('solo', pool);
        api.bootstep({ name: 'step', start: async () => {}, stop: async () => {} });
      },
    });
    expect(host.transportSchemes()).toEqual(['redis', 'rediss']);
    expect(host.transportFactory('REDIS')).toBe(transport);
    expect(host.backendSchemes()).toEqual(['redis']);
    expect(registry.byName('text').contentType).toBe('text/plain');
    expect(registry.codecByName('id').contentType).toBe('application/x-id');
    expect(host.pool('solo')).toBe(pool);
    expect(host.bootsteps().map((b) => b.name)).toEqual(['step']);
    expect(host.names()).toEqual(['kit']);
  });

  it('keeps the remote-control commands a plugin registers, typed control or inspect; a bad name or no handler is refused', async () => {
    const host = new PluginHost();
    const handler = () => ({ ok: 'done' });
    await host.use({
      name: 'ops',
      setup(api) {
        api.controlCommand({ name: 'flush_cache', args: [{ name: 'region', type: 'string' }], handler });
        api.inspectCommand({ name: 'cache_size', handler: () => 42 });
      },
    });
    expect(host.controlCommands().map((c) => [c.name, c.type, c.args?.length ?? 0])).toEqual([['flush_cache', 'control', 1], ['cache_size', 'inspect', 0]]);
    const bad = await host.use({ name: 'bad', setup: (api) => api.controlCommand({ name: 'rm -rf', handler }) }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'Q_ERR_PLUGIN_FAILED', message: expect.stringMatching(/rm -rf/) });
    const none = await host.use({ name: 'none', setup: (api) => api.inspectCommand({ name: 'x' } as never) }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'Q_ERR_PLUGIN_FAILED', message: expect.stringMatching(/no handler/) });
  });

  it('checks a plugin\'s qCore range against the running @q/core before its setup runs', async () => {
    const ran: string[] = [];
    const plugin = (name: string, qCore: string): Plugin => ({ name, qCore, setup: () => void ran.push(name) });
    const host = new PluginHost({ coreVersion: '1.4.2' });
    await host.use(plugin('fits', '^1.2.0'));
    await host.use(plugin('any', '*'));
    const tooNew = await host.use(plugin('too-new', '^2.0.0')).catch((e: unknown) => e);
    expect(tooNew).toBeInstanceOf(PluginError);
    expect((tooNew as PluginError).code).toBe('Q_ERR_PLUGIN_INCOMPATIBLE');
    expect((tooNew as PluginError).message).toContain('"too-new" needs @q/core ^2.0.0, but @q/core 1.4.2 is installed');
    const garbled = await host.use(plugin('garbled', 'one point four')).catch((e: unknown) => e);
    expect((garbled as PluginError).code).toBe('Q_ERR_PLUGIN_INCOMPATIBLE');
    expect((garbled as PluginError).message).toContain('not a semver range');
    expect(ran).toEqual(['fits', 'any']);
    // 0.x: a caret range stays within its minor line, as npm reads it.
    const zero = new PluginHost({ coreVersion: '0.2.0' });
    expect(((await zero.use(plugin('old-minor', '^0.1.0')).catch((e: unknown) => e)) as PluginError).code).toBe('Q_ERR_PLUGIN_INCOMPATIBLE');
    // A prerelease of a version in range counts as in range.
    await new PluginHost({ coreVersion: '1.5.0-rc.1' }).use(plugin('pre', '^1.2.0'));
    expect(ran).toEqual(['fits', 'any', 'pre']);
  });

  it('checks against the running @q/core by default', async () => {
    const host = new PluginHost();
    await host.use({ name: 'same-line', qCore: `^${CORE_VERSION}`, setup() {} });
    const err = await host.use({ name: 'future', qCore: '>=99.0.0', setup() {} }).catch((e: unknown) => e);
    expect((err as PluginError).code).toBe('Q_ERR_PLUGIN_INCOMPATIBLE');
  });

  it('wraps a setup error in Q_ERR_PLUGIN_FAILED naming the plugin', async () => {
    const host = new PluginHost();
    const err = await host.use({ name: 'broken', setup() { throw new Error('nope'); } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Q_ERR_PLUGIN_FAILED', message: 'plugin "broken" failed in setup: nope' });
  });

  it('runs sequential hooks in order, letting handlers edit the payload', async () => {
    const host = new PluginHost();
    const seen: string[] = [];
    await host.use({ name: 'a', setup(api) { api.hook('beforePublish', async (p) => { await new Promise((r) => setTimeout(r, 10)); seen.push('a'); p.message.headers.stamp = 1; }); } });
    await host.use({ name: 'b', setup(api) { api.hook('beforePublish', (p) => { seen.push(`b:${String(p.message.headers.stamp)}`); }); } });
    const payload = publishPayload();
    await host.runHook('beforePublish', payload);
    expect(seen).toEqual(['a', 'b:1']);
    expect(payload.message.headers.stamp).toBe(1);
  });

  it('runs parallel hooks concurrently', async () => {
    const host = new PluginHost();
    const events: string[] = [];
    const slow = (name: string, ms: number): Plugin => ({
      name,
      setup(api) {
        api.hook('workerReady', async () => {
          events.push(`start:${name}`);
          await new Promise((r) => setTimeout(r, ms));
          events.push(`end:${name}`);
        });
      },
    });
    await host.use(slow('a', 30));
    await host.use(slow('b', 5));
    await host.runHook('workerReady', { hostname: 'w' });
    expect(events).toEqual(['start:a', 'start:b', 'end:b', 'end:a']);
  });

  it('wraps a handler error in Q_ERR_HOOK_FAILED naming plugin and hook; a sequential hook stops there', async () => {
    const host = new PluginHost();
    let after = false;
    await host.use({ name: 'bad', setup(api) { api.hook('beforePublish', () => { throw new Error('boom'); }); } });
    await host.use({ name: 'late', setup(api) { api.hook('beforePublish', () => { after = true; }); } });
    const err = await host.runHook('beforePublish', publishPayload()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ code: 'Q_ERR_HOOK_FAILED', message: 'plugin "bad" failed in hook "beforePublish": boom' });
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(after).toBe(false);
  });

  it('runs every parallel handler even when one fails, then reports the failure', async () => {
    const host = new PluginHost();
    let ran = false;
    await host.use({ name: 'bad', setup(api) { api.hook('afterPublish', async () => { throw new Error('x'); }); } });
    await host.use({ name: 'ok', setup(api) { api.hook('afterPublish', async () => { ran = true; }); } });
    await expect(host.runHook('afterPublish', { taskId: 't', taskName: 'n', exchange: '', routingKey: 'q', queue: 'q', headers: {} })).rejects.toThrow(
      'plugin "bad" failed in hook "afterPublish"',
    );
    expect(ran).toBe(true);
    expect(host.hasHook('afterPublish')).toBe(true);
    expect(host.hasHook('taskSuccess')).toBe(false);
  });
});
