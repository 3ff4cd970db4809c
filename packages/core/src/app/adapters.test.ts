/** `brokerOptions.visibilityTimeout` reaches the embedded broker (default 3600 s) and `filesystem://` URL brokers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../contracts/logger.js';
import type * as FilesystemQueueDriverModule from '../embedded/filesystem-queue-driver.js';
import type { FilesystemQueueDriverOptions } from '../embedded/filesystem-queue-driver.js';
import { builtinPlugin } from '../plugins/builtin-plugin.js';
import { PluginHost } from '../plugins/plugin-host.js';
import type { AppOptions } from '../config/options.js';
import { resolveConfig } from '../config/resolve-config.js';

const made: FilesystemQueueDriverOptions[] = [];
vi.mock('../embedded/filesystem-queue-driver.js', async (importOriginal) => {
  const real = await importOriginal<typeof FilesystemQueueDriverModule>();
  return { ...real, filesystemQueueDriver: (o: FilesystemQueueDriverOptions) => (made.push(o), real.filesystemQueueDriver(o)) };
});
const { resolveTransport } = await import('./adapters.js');

const root = mkdtempSync(join(tmpdir(), 'q-adapters-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => void (made.length = 0));

async function visibilityOf(setting: string | undefined, options: AppOptions = {}): Promise<number | undefined> {
  const plugins = new PluginHost();
  await plugins.use(builtinPlugin);
  const conf = resolveConfig({ embeddedDir: root, ...options });
  await resolveTransport(setting, { conf, plugins, log: silentLogger });
  return made.at(-1)?.visibilityTimeoutMs;
}

describe('brokerOptions.visibilityTimeout', () => {
  it('unset: the embedded broker keeps its 3600 s, a filesystem:// URL its own 30 min', async () => {
    expect(await visibilityOf(undefined)).toBe(3_600_000);
    expect(await visibilityOf(`filesystem://${pathToFileURL(join(root, 'fs')).pathname}`)).toBe(1_800_000);
  });

  it('set: reaches the embedded broker and a filesystem:// URL; the transport option wins', async () => {
    const fsUrl = `filesystem://${pathToFileURL(join(root, 'fs')).pathname}`;
    expect(await visibilityOf(undefined, { brokerOptions: { visibilityTimeout: 600 } })).toBe(600_000);
    expect(await visibilityOf(fsUrl, { brokerOptions: { visibilityTimeout: 600 } })).toBe(600_000);
    const both = { brokerOptions: { visibilityTimeout: 600, transportOptions: { visibilityTimeout: 60 } } };
    expect(await visibilityOf(undefined, both)).toBe(60_000);
    expect(await visibilityOf(fsUrl, both)).toBe(60_000);
  });
});
