/**
 * Resolves a broker or result backend URL to an adapter. A scheme registered by a plugin → its factory;
 * otherwise the scheme is looked up in {@link SCHEME_PACKAGES}, that package is imported from `resolveFrom`
 * and its `qPlugin` export is set up, which registers the scheme. A factory may return a tier-2 driver:
 * it is lifted with `virtualTransport()` / `keyValueBackend()`.
 */
import type { Logger } from '../contracts/logger.js';
import type { Plugin, UrlFactoryContext } from '../contracts/plugin.js';
import type { QueueDriver } from '../contracts/queue-driver.js';
import type { KeyValueDriver, ResultBackend } from '../contracts/result-backend.js';
import type { Transport } from '../contracts/transport.js';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { ConfigError } from '../errors/q-error.js';
import { closest } from '../config/config-schema.js';
import { isKeyValueDriver, isQueueDriver } from '../transport/guards.js';
import { virtualTransport } from '../transport/virtual-transport.js';
import { importPackage } from './import-package.js';
import type { PluginHost } from './plugin-host.js';
import { SCHEME_PACKAGES, type SchemePackages } from './scheme-packages.js';

/** Adapter kinds a URL can name. */
export type AdapterKind = 'transport' | 'backend';

/** What URL resolution needs. */
export interface UrlResolveContext {
  host: PluginHost;
  /** Directory packages are resolved from. */
  resolveFrom: string;
  /** Adapter options (`brokerOptions.transportOptions` / `result.backendOptions`). */
  options?: Record<string, unknown>;
  logger: Logger;
  /** Poll interval for lifted queue drivers that cannot block, ms. */
  pollIntervalMs?: number;
  /** Brokers: the app's connect timeout, ms (`UrlFactoryContext.connectTimeoutMs`). */
  connectTimeoutMs?: number;
  /** Brokers: the app's visibility timeout, ms, when set (`UrlFactoryContext.visibilityTimeoutMs`). */
  visibilityTimeoutMs?: number;
  /** Scheme → package tables (default {@link SCHEME_PACKAGES}). */
  packages?: SchemePackages;
  /** Imports a package's plugin (default: resolve from `resolveFrom` and `import()` it). Injected by tests. */
  importPlugin?: (pkg: string, resolveFrom: string) => Promise<Plugin>;
}

/** Masks the password of a URL-like string for messages. */
export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** Parses a URL and returns it with its lowercased scheme (`redis`, `db+postgresql`). @throws ConfigError `Q_ERR_URL_INVALID`. */
export function parseAdapterUrl(url: string, what: string): { parsed: URL; scheme: string } {
  let parsed: URL;
  try {
    // A failover list (`sentinel://a:26379;sentinel://b:26379`) is resolved by its first URL's scheme;
    // the adapter receives the whole string as `url`.
    parsed = new URL(url.split(';')[0] ?? url);
  } catch (err) {
    throw new ConfigError('Q_ERR_URL_INVALID', `${what} URL "${maskUrl(url)}" is not a valid URL (expected scheme://…)`, {
      cause: err,
    });
  }
  return { parsed, scheme: parsed.protocol.replace(/:$/, '').toLowerCase() };
}

/** Lifts a queue driver into a transport; a full transport is returned as is. */
export function liftTransport(x: Transport | QueueDriver, options: { logger?: Logger; pollIntervalMs?: number } = {}): Transport {
  if (!isQueueDriver(x)) return x as Transport;
  const opts: { logger?: Logger; pollIntervalMs?: number } = {};
  if (options.logger) opts.logger = options.logger;
  if (options.pollIntervalMs !== undefined) opts.pollIntervalMs = options.pollIntervalMs;
  return virtualTransport(x, opts);
}

/** Lifts a key-value driver into a result backend; a full backend is returned as is. */
export function liftBackend(x: ResultBackend | KeyValueDriver, options: { logger?: Logger } = {}): ResultBackend {
  if (!isKeyValueDriver(x)) return x as ResultBackend;
  return keyValueBackend(x, options.logger ? { logger: options.logger } : {});
}

/** Resolves a broker URL to a transport (connecting is left to the caller). */
export async function resolveTransportUrl(url: string, ctx: UrlResolveContext): Promise<Transport> {
  const { factoryContext, scheme } = await prepare('transport', url, ctx);
  const factory = ctx.host.transportFactory(scheme);
  if (!factory) throw unknownScheme('transport', scheme, ctx);
  const lift: { logger: Logger; pollIntervalMs?: number } = { logger: ctx.logger };
  if (ctx.pollIntervalMs !== undefined) lift.pollIntervalMs = ctx.pollIntervalMs;
  return liftTransport(factory(factoryContext), lift);
}

/** Resolves a result backend URL to a backend (connecting is left to the caller). */
export async function resolveBackendUrl(url: string, ctx: UrlResolveContext): Promise<ResultBackend> {
  const { factoryContext, scheme } = await prepare('backend', url, ctx);
  const factory = ctx.host.backendFactory(scheme);
  if (!factory) throw unknownScheme('backend', scheme, ctx);
  return liftBackend(factory(factoryContext), { logger: ctx.logger });
}

async function prepare(
  kind: AdapterKind,
  url: string,
  ctx: UrlResolveContext,
): Promise<{ factoryContext: UrlFactoryContext; scheme: string }> {
  const what = kind === 'transport' ? 'broker' : 'result backend';
  const { parsed, scheme } = parseAdapterUrl(url, what);
  const registered = kind === 'transport' ? ctx.host.transportFactory(scheme) : ctx.host.backendFactory(scheme);
  if (!registered) await loadPackageFor(kind, scheme, ctx);
  const factoryContext: UrlFactoryContext = { url, parsed, options: { ...(ctx.options ?? {}) }, logger: ctx.logger };
  if (kind === 'transport' && ctx.connectTimeoutMs !== undefined) factoryContext.connectTimeoutMs = ctx.connectTimeoutMs;
  if (kind === 'transport' && ctx.visibilityTimeoutMs !== undefined) factoryContext.visibilityTimeoutMs = ctx.visibilityTimeoutMs;
  return { factoryContext, scheme };
}

/** Package loads in flight or done, per host, so a broker and a backend naming one package load it once. */
const loads = new WeakMap<PluginHost, Map<string, Promise<void>>>();

async function loadPackageFor(kind: AdapterKind, scheme: string, ctx: UrlResolveContext): Promise<void> {
  const pkg = (ctx.packages ?? SCHEME_PACKAGES)[kind][scheme];
  if (pkg === undefined) throw unknownScheme(kind, scheme, ctx);
  let perHost = loads.get(ctx.host);
  if (!perHost) loads.set(ctx.host, (perHost = new Map()));
  let load = perHost.get(pkg);
  if (!load) {
    load = loadPackage(pkg, scheme, ctx);
    perHost.set(pkg, load);
    load.catch(() => perHost.delete(pkg));
  }
  await load;
  const now = kind === 'transport' ? ctx.host.transportFactory(scheme) : ctx.host.backendFactory(scheme);
  if (!now) {
    throw new ConfigError('Q_ERR_URL_SCHEME_UNKNOWN', `package ${pkg} was loaded but registered no ${kind} for "${scheme}://"`);
  }
}

async function loadPackage(pkg: string, scheme: string, ctx: UrlResolveContext): Promise<void> {
  const importPlugin = ctx.importPlugin ?? importPackagePlugin;
  let plugin: Plugin;
  try {
    plugin = await importPlugin(pkg, ctx.resolveFrom);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const notFound = (err as { code?: unknown }).code === 'MODULE_NOT_FOUND' || (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
    const detail = notFound
      ? `is not installed: install it with \`npm install ${pkg}\` (looked in ${ctx.resolveFrom})`
      : `could not be loaded: ${err instanceof Error ? err.message : String(err)}`;
    throw new ConfigError('Q_ERR_URL_SCHEME_UNKNOWN', `URL scheme "${scheme}://" needs the package ${pkg}, which ${detail}`, {
      cause: err,
    });
  }
  if (!ctx.host.has(plugin.name)) await ctx.host.use(plugin);
  ctx.logger.debug({ scheme, package: pkg }, `loaded ${pkg} for ${scheme}://`);
}

/** Imports `pkg` as resolved from `resolveFrom` and returns its `qPlugin` export. */
export async function importPackagePlugin(pkg: string, resolveFrom: string): Promise<Plugin> {
  const mod = (await importPackage(pkg, resolveFrom)) as { qPlugin?: unknown; default?: { qPlugin?: unknown } };
  const plugin = mod.qPlugin ?? mod.default?.qPlugin;
  if (typeof plugin !== 'object' || plugin === null || typeof (plugin as Plugin).setup !== 'function') {
    throw new ConfigError('Q_ERR_URL_SCHEME_UNKNOWN', `package ${pkg} has no \`qPlugin\` export (a Plugin)`);
  }
  return plugin as Plugin;
}

function unknownScheme(kind: AdapterKind, scheme: string, ctx: UrlResolveContext): ConfigError {
  const registered = kind === 'transport' ? ctx.host.transportSchemes() : ctx.host.backendSchemes();
  const known = [...new Set([...registered, ...Object.keys((ctx.packages ?? SCHEME_PACKAGES)[kind])])].sort();
  const what = kind === 'transport' ? 'broker' : 'result backend';
  const guess = closest(scheme, known);
  const hint = guess === null ? '' : ` (did you mean ${guess}://?)`;
  return new ConfigError(
    'Q_ERR_URL_SCHEME_UNKNOWN',
    `unknown ${what} URL scheme "${scheme}://"${hint}; known schemes: ${known.map((s) => `${s}://`).join(', ')}`,
  );
}
