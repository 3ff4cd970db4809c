import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../contracts/logger.js';
import type { BackendFactory, PluginApi, TransportFactory } from '../contracts/plugin.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import type { Transport } from '../contracts/transport.js';
import { builtinPlugin } from './builtin-plugin.js';

const root = mkdtempSync(join(tmpdir(), 'q-builtin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function registered() {
  const transports = new Map<string, TransportFactory>();
  const backends = new Map<string, BackendFactory>();
  const api: PluginApi = {
    transport: (schemes, f) => [schemes].flat().forEach((s) => transports.set(s, f)),
    backend: (schemes, f) => [schemes].flat().forEach((s) => backends.set(s, f)),
    serializer() {},
    codec() {},
    pool() {},
    bootstep() {},
    controlCommand() {},
    inspectCommand() {},
    cliCommand() {},
    cliOption() {},
    schedule() {},
    beatStore() {},
    beatLock() {},
    hook() {},
    logger: silentLogger,
  };
  await builtinPlugin.setup(api);
  const ctx = (url: string, options: Record<string, unknown> = {}) => ({ url, parsed: new URL(url), options, logger: silentLogger });
  return {
    transport: (url: string, options?: Record<string, unknown>) => transports.get(new URL(url).protocol.slice(0, -1))?.(ctx(url, options)) as Transport,
    backend: (url: string, options?: Record<string, unknown>) => backends.get(new URL(url).protocol.slice(0, -1))?.(ctx(url, options)) as ResultBackend,
    schemes: { transports: [...transports.keys()], backends: [...backends.keys()] },
  };
}

describe('builtinPlugin', () => {
  it('is named q:builtin and registers memory/filesystem transports and memory/file backends', async () => {
    const { schemes } = await registered();
    expect(builtinPlugin.name).toBe('q:builtin');
    expect(schemes).toEqual({ transports: ['memory', 'filesystem'], backends: ['memory', 'file'] });
  });

  it('memory:// transports share queues per namespace (the URL host)', async () => {
    const r = await registered();
    const a = r.transport('memory://plugin-ns');
    expect(a.describe()).toBe('memory://plugin-ns');
    expect(r.transport('memory://').describe()).toBe('memory://default');
    const msg = { body: new Uint8Array([1]), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} };
    await a.publish(msg, { exchange: '', routingKey: 'q' });
    expect(await r.transport('memory://plugin-ns').queueSize?.('q')).toBe(1);
  });

  it('filesystem:///abs/dir and filesystem:// with the dir option write into that directory', async () => {
    const r = await registered();
    const dir = join(root, 'broker dir');
    const t = r.transport(`filesystem://${pathToFileURL(dir).pathname}`, { visibilityTimeout: 60, pollInterval: 0.01 });
    expect(t.describe()).toBe(`filesystem://${dir}`);
    await t.connect();
    const msg = { body: new Uint8Array([1]), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} };
    await t.publish(msg, { exchange: '', routingKey: 'celery' });
    expect(readdirSync(join(dir, 'queues', 'celery'))).toHaveLength(1);
    expect(r.transport('filesystem://', { dir }).describe()).toBe(`filesystem://${dir}`);
    await t.close();
  });

  it('rejects a filesystem URL without a directory', async () => {
    const r = await registered();
    expect(() => r.transport('filesystem://')).toThrow(expect.objectContaining({ code: 'Q_ERR_URL_INVALID' }));
    expect(() => r.transport('filesystem://relative/dir')).toThrow(expect.objectContaining({ code: 'Q_ERR_URL_INVALID' }));
  });

  it('file:///abs/dir results are stored there; memory:// results are shared per namespace', async () => {
    const r = await registered();
    const dir = join(root, 'results');
    const backend = r.backend(pathToFileURL(dir).href);
    const meta = { taskId: 't1', status: 'SUCCESS', result: 3, traceback: null, children: [], dateDone: null };
    await backend.storeResult(meta, { expiresMs: null });
    expect(readdirSync(join(dir, 'kv'))).toEqual(['celery-task-meta-t1.json']);
    await r.backend('memory://plugin-results').storeResult(meta, { expiresMs: null });
    expect((await r.backend('memory://plugin-results').getTaskMeta('t1'))?.result).toBe(3);
    expect(r.backend('memory://plugin-results').capabilities.push).toBe(true);
  });
});
