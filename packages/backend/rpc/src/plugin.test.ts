import type { BackendFactory, PluginApi, UrlFactoryContext } from '@q/core';
import { createApp, silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { memoryTransport, namespace } from '../test/support.js';
import { qPlugin } from './plugin.js';
import { RpcBackend } from './rpc-backend.js';

function registered(): { schemes: readonly string[]; factory: BackendFactory }[] {
  const out: { schemes: readonly string[]; factory: BackendFactory }[] = [];
  const api = {
    backend: (schemes: string | readonly string[], factory: BackendFactory) => out.push({ schemes: typeof schemes === 'string' ? [schemes] : schemes, factory }),
    logger: silentLogger,
  } as unknown as PluginApi;
  void qPlugin.setup(api);
  return out;
}

const ctx = (options: Record<string, unknown>): UrlFactoryContext => ({ url: 'rpc://', parsed: new URL('rpc://'), options, logger: silentLogger });

describe('qPlugin', () => {
  it('registers the rpc scheme; result.backendOptions are validated', () => {
    const [entry] = registered();
    expect(qPlugin.name).toBe('@q/backend-rpc');
    expect(entry?.schemes).toEqual(['rpc']);
    const backend = entry?.factory(ctx({ persistent: true, maxBuffered: 5 })) as RpcBackend;
    expect(backend).toBeInstanceOf(RpcBackend);
    expect(backend.capabilities).toEqual({ push: true, chords: 'none', groups: false, autoExpire: false, readers: 'caller' });
    expect(backend.describe()).toBe('rpc://');
    expect(() => entry?.factory(ctx({ maxBuffered: 'many' }))).toThrow(/result\.backendOptions\.maxBuffered/);
  });

  it("resolves backend: 'rpc://' through the plugin and attaches it to the app", async () => {
    const app = createApp({ broker: memoryTransport(namespace()), backend: 'rpc://', plugins: [qPlugin] });
    try {
      const backend = (await app.getBackend()) as RpcBackend;
      expect(backend).toBeInstanceOf(RpcBackend);
      expect(backend.replyTo).toBe(app.oid);
    } finally {
      await app.close();
    }
  });
});
