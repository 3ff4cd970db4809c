import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../contracts/logger.js';
import { ConfigError } from '../errors/q-error.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { builtinPlugin } from './builtin-plugin.js';
import { PluginHost } from './plugin-host.js';
import { maskUrl, parseAdapterUrl, resolveBackendUrl, resolveTransportUrl, type UrlResolveContext } from './url-resolver.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'q-url-'));
  // A fake adapter package, installed where `resolveFrom` points.
  const pkg = join(dir, 'node_modules', '@q', 'transport-fake');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@q/transport-fake', type: 'module', main: 'index.js' }));
  await writeFile(
    join(pkg, 'index.js'),
    `export const qPlugin = { name: 'fake', setup(api) { api.transport('fake', (ctx) => ({ marker: ctx.parsed.host, options: ctx.options })); } };\n`,
  );
  const broken = join(dir, 'node_modules', '@q', 'transport-noplugin');
  await mkdir(broken, { recursive: true });
  await writeFile(join(broken, 'package.json'), JSON.stringify({ name: '@q/transport-noplugin', type: 'module', main: 'index.js' }));
  await writeFile(join(broken, 'index.js'), 'export const nothing = 1;\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ctx(extra: Partial<UrlResolveContext> = {}): Promise<UrlResolveContext> {
  const host = new PluginHost();
  await host.use(builtinPlugin);
  return { host, resolveFrom: dir, logger: silentLogger, ...extra };
}

const packages = {
  transport: { fake: '@q/transport-fake', nopl: '@q/transport-noplugin', redis: '@q/transport-redis' },
  backend: { rpc: '@q/backend-rpc' },
};

describe('resolveTransportUrl / resolveBackendUrl', () => {
  it('uses a registered scheme and lifts drivers into full adapters', async () => {
    const c = await ctx();
    const transport = await resolveTransportUrl('memory://url-test', c);
    expect(typeof transport.consume).toBe('function');
    const backend = await resolveBackendUrl('memory://url-test', c);
    expect(typeof backend.storeResult).toBe('function');
  });

  it('lifts a driver returned by a plugin factory', async () => {
    const host = new PluginHost();
    await host.use({ name: 'drv', setup(api) {
      api.transport('drv', () => memoryQueueDriver({ namespace: 'drv' }));
      api.backend('drv', () => memoryKeyValueDriver({ namespace: 'drv' }));
    } });
    const c = { host, resolveFrom: dir, logger: silentLogger };
    expect(typeof (await resolveTransportUrl('drv://', c)).declareQueue).toBe('function');
    expect(typeof (await resolveBackendUrl('drv://', c)).getTaskMeta).toBe('function');
  });

  it('imports the package that provides an unregistered scheme from resolveFrom and uses its qPlugin', async () => {
    const c = await ctx({ packages, options: { a: 1 } });
    const t = (await resolveTransportUrl('fake://somehost/0', c)) as unknown as { marker: string; options: unknown };
    expect(t.marker).toBe('somehost');
    expect(t.options).toEqual({ a: 1 });
    expect(c.host.has('fake')).toBe(true);
  });

  it('says which package to install when it is missing', async () => {
    // (Package names that exist nowhere: vitest's resolver would find the workspace's real adapters.)
    const missing = { transport: { redis: '@q/transport-missing-x' }, backend: { rpc: '@q/backend-missing-y' } };
    const c = await ctx({ packages: missing });
    const err = await resolveTransportUrl('redis://:secret@localhost:6379/0', c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('Q_ERR_URL_SCHEME_UNKNOWN');
    expect((err as Error).message).toMatch(/needs the package @q\/transport-missing-x, which is not installed: install it with `npm install @q\/transport-missing-x`/);
    const backendErr = await resolveBackendUrl('rpc://', c).catch((e: unknown) => e);
    expect((backendErr as Error).message).toMatch(/@q\/backend-missing-y/);
  });

  it('reports a package without a qPlugin export', async () => {
    const err = await resolveTransportUrl('nopl://x', await ctx({ packages })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/@q\/transport-noplugin has no `qPlugin` export/);
  });

  it('lists the known schemes for an unknown one', async () => {
    const err = await resolveTransportUrl('carrier-pigeon://coop', await ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
    expect((err as Error).message).toMatch(/^unknown broker URL scheme "carrier-pigeon:\/\/"; known schemes: .*amqp:\/\/.*filesystem:\/\/.*memory:\/\/.*redis:\/\//);
    const berr = await resolveBackendUrl('nope://', await ctx()).catch((e: unknown) => e);
    expect((berr as Error).message).toMatch(/^unknown result backend URL scheme "nope:\/\/"; known schemes: .*file:\/\/.*memory:\/\/.*rpc:\/\//);
  });

  it('suggests the closest known scheme for a typo, before the list', async () => {
    const err = await resolveTransportUrl('reddis://localhost:6379/0', await ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
    expect((err as Error).message).toMatch(/^unknown broker URL scheme "reddis:\/\/" \(did you mean redis:\/\/\?\); known schemes: /);
    const amqp = await resolveTransportUrl('amqq://guest@localhost//', await ctx()).catch((e: unknown) => e);
    expect((amqp as Error).message).toContain('"amqq://" (did you mean amqp://?)');
    const backend = await resolveBackendUrl('rcp://', await ctx()).catch((e: unknown) => e);
    expect((backend as Error).message).toContain('"rcp://" (did you mean rpc://?)');
  });

  it('rejects a malformed URL with Q_ERR_URL_INVALID, masking the password', async () => {
    const err = await resolveTransportUrl('not a url :secret@', await ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Q_ERR_URL_INVALID' });
    expect(maskUrl('redis://user:secret@host:1/0')).toBe('redis://user:***@host:1/0');
  });
});

describe('package loading', () => {
  it('loads a package once when a broker and a backend need it at the same time', async () => {
    let imports = 0;
    const plugin = {
      name: 'both',
      async setup(api: Parameters<typeof builtinPlugin.setup>[0]) {
        await new Promise((r) => setTimeout(r, 5));
        api.transport('both', () => memoryQueueDriver({ namespace: 'both' }));
        api.backend('both', () => memoryKeyValueDriver({ namespace: 'both' }));
      },
    };
    const c = await ctx({
      packages: { transport: { both: '@q/both' }, backend: { both: '@q/both' } },
      importPlugin: async () => {
        imports++;
        return plugin;
      },
    });
    const [t, b] = await Promise.all([resolveTransportUrl('both://', c), resolveBackendUrl('both://', c)]);
    expect(typeof t.publish).toBe('function');
    expect(typeof b.storeResult).toBe('function');
    expect(imports).toBe(1);
  });

  it('reports a package that registers no adapter for the scheme', async () => {
    const c = await ctx({ packages: { transport: { x: '@q/x' }, backend: {} }, importPlugin: async () => ({ name: 'empty', setup() {} }) });
    await expect(resolveTransportUrl('x://', c)).rejects.toThrow('package @q/x was loaded but registered no transport for "x://"');
  });
});

describe('parseAdapterUrl', () => {
  it('resolves a failover list (sentinel://a;sentinel://b) by the first URL, which new URL() alone rejects', () => {
    expect(parseAdapterUrl('sentinel://:pw@10.0.0.1:26379;sentinel://10.0.0.2:26379/0', 'broker').scheme).toBe('sentinel');
  });
  it('rejects a string that is not a URL, naming it', () => {
    expect(() => parseAdapterUrl('not a url', 'broker')).toThrow(/broker URL "not a url" is not a valid URL/);
  });
});
