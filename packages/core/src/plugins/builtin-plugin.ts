/**
 * The builtin plugin (`q:builtin`): the adapters that ship with `@q/core`.
 *
 * | kind | URL | adapter |
 * |---|---|---|
 * | transport | `memory://[namespace]` | {@link memoryQueueDriver} lifted by {@link virtualTransport} |
 * | transport | `filesystem:///abs/dir` (or `filesystem://` + option `dir`) | {@link filesystemQueueDriver} (embedded broker) |
 * | backend | `memory://[namespace]` | {@link memoryKeyValueDriver} lifted by {@link keyValueBackend} |
 * | backend | `file:///abs/dir` (or `file://` + option `dir`) | {@link filesystemKeyValueDriver} (embedded results) |
 *
 * Filesystem transport options (`broker.transportOptions`): `dir`, `visibilityTimeout` (seconds, as kombu's
 * `visibility_timeout`) or `visibilityTimeoutMs`, `pollInterval` (seconds) or `pollIntervalMs`, `fsync`. Without
 * a visibility timeout option, the app's `brokerOptions.visibilityTimeout` (`ctx.visibilityTimeoutMs`) applies,
 * else {@link DEFAULT_VISIBILITY_TIMEOUT_MS}.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin, UrlFactoryContext } from '../contracts/plugin.js';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import { DEFAULT_VISIBILITY_TIMEOUT_MS, filesystemQueueDriver } from '../embedded/filesystem-queue-driver.js';
import { filesystemKeyValueDriver } from '../embedded/filesystem-key-value-driver.js';
import { ConfigError } from '../errors/q-error.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';

/** Poll interval of the embedded broker when none is configured. */
const FILESYSTEM_POLL_MS = 50;

function numberOption(options: Record<string, unknown>, msKey: string, secondsKey: string): number | undefined {
  const ms = options[msKey];
  if (typeof ms === 'number' && ms >= 0) return ms;
  const seconds = options[secondsKey];
  if (typeof seconds === 'number' && seconds >= 0) return seconds * 1000;
  return undefined;
}

/** The directory of a `filesystem://` or `file://` URL, or the `dir` option. */
function directoryOf(ctx: UrlFactoryContext): string {
  const { parsed, options } = ctx;
  if (parsed.host === '' && parsed.pathname !== '' && parsed.pathname !== '/') {
    return fileURLToPath(new URL(`file://${parsed.pathname}`));
  }
  if (parsed.host === '' && typeof options['dir'] === 'string' && options['dir'] !== '') return options['dir'];
  throw new ConfigError(
    'Q_ERR_URL_INVALID',
    `${ctx.url}: expected ${parsed.protocol}///absolute/dir (or ${parsed.protocol}// with the \`dir\` option)`,
  );
}

/** The plugin that registers the builtin transports and backends. */
export const builtinPlugin: Plugin = {
  name: 'q:builtin',
  setup(api) {
    api.transport('memory', (ctx) =>
      virtualTransport(memoryQueueDriver({ namespace: ctx.parsed.host || 'default' }), { logger: ctx.logger }),
    );
    api.transport('filesystem', (ctx) => {
      const visibilityTimeoutMs = numberOption(ctx.options, 'visibilityTimeoutMs', 'visibilityTimeout') ?? ctx.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS;
      const pollIntervalMs = numberOption(ctx.options, 'pollIntervalMs', 'pollInterval') ?? FILESYSTEM_POLL_MS;
      const fsync = ctx.options['fsync'];
      const driver = filesystemQueueDriver({
        dir: directoryOf(ctx),
        visibilityTimeoutMs,
        pollIntervalMs,
        ...(typeof fsync === 'boolean' ? { fsync } : {}),
      });
      return virtualTransport(driver, {
        logger: ctx.logger,
        pollIntervalMs,
        leaseRenewalMs: Math.max(10, Math.floor(visibilityTimeoutMs / 3)),
      });
    });
    api.backend('memory', (ctx) =>
      keyValueBackend(memoryKeyValueDriver({ namespace: ctx.parsed.host || 'default' }), { logger: ctx.logger }),
    );
    api.backend('file', (ctx) => keyValueBackend(filesystemKeyValueDriver({ dir: directoryOf(ctx) }), { logger: ctx.logger }));
  },
};
