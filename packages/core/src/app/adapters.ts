/**
 * Turns the `broker` / `backend` settings into connected adapters: an instance is lifted if it is a tier-2
 * driver, a URL is resolved through the plugins, and nothing configured means the embedded filesystem broker
 * and backend under `embeddedDir` (`.q/broker`, `.q/results`).
 */
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../contracts/logger.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import type { Transport } from '../contracts/transport.js';
import type { PluginHost } from '../plugins/plugin-host.js';
import { liftBackend, liftTransport, resolveBackendUrl, resolveTransportUrl, type UrlResolveContext } from '../plugins/url-resolver.js';
import type { BackendSetting, BrokerSetting, ResolvedConfig } from '../config/options.js';

/** What adapter resolution needs. */
export interface AdapterContext {
  conf: ResolvedConfig;
  plugins: PluginHost;
  log: Logger;
}

/** Where the embedded broker and backend live. */
export function embeddedPaths(conf: ResolvedConfig): { broker: string; results: string } {
  return { broker: join(conf.embeddedDir, 'broker'), results: join(conf.embeddedDir, 'results') };
}

/** A path for people: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Visibility timeout of the embedded broker, seconds, when `brokerOptions.visibilityTimeout` is not set. */
const EMBEDDED_VISIBILITY_TIMEOUT = 3600;

/** The transport for a broker setting (not connected yet). */
export async function resolveTransport(setting: BrokerSetting | undefined, ctx: AdapterContext): Promise<Transport> {
  const { conf } = ctx;
  const pollIntervalMs = conf.broker.pollInterval === null ? undefined : conf.broker.pollInterval * 1000;
  const base = { host: ctx.plugins, resolveFrom: conf.resolveFrom, logger: ctx.log };
  if (setting === undefined) {
    const options: Record<string, unknown> = { ...conf.broker.transportOptions };
    if (conf.broker.pollInterval !== null) options.pollInterval = conf.broker.pollInterval;
    const visibilityTimeoutMs = (conf.broker.visibilityTimeout ?? EMBEDDED_VISIBILITY_TIMEOUT) * 1000;
    return resolveTransportUrl(`filesystem://${pathToFileURL(embeddedPaths(conf).broker).pathname}`, { ...base, options, visibilityTimeoutMs });
  }
  if (typeof setting === 'string') {
    const ctxUrl: UrlResolveContext = { ...base, options: { ...conf.broker.transportOptions }, connectTimeoutMs: conf.broker.connectionTimeout * 1000 };
    if (pollIntervalMs !== undefined) ctxUrl.pollIntervalMs = pollIntervalMs;
    if (conf.broker.visibilityTimeout !== null) ctxUrl.visibilityTimeoutMs = conf.broker.visibilityTimeout * 1000;
    return resolveTransportUrl(setting, ctxUrl);
  }
  return liftTransport(setting, pollIntervalMs === undefined ? { logger: ctx.log } : { logger: ctx.log, pollIntervalMs });
}

/** The backend for a backend setting (not connected yet), or `null` when results are disabled. */
export async function resolveBackend(setting: BackendSetting | undefined, ctx: AdapterContext): Promise<ResultBackend | null> {
  const { conf } = ctx;
  if (setting === null) return null;
  const base = { host: ctx.plugins, resolveFrom: conf.resolveFrom, logger: ctx.log, options: { ...conf.result.backendOptions } };
  if (setting === undefined) return resolveBackendUrl(`file://${pathToFileURL(embeddedPaths(conf).results).pathname}`, base);
  if (typeof setting === 'string') return resolveBackendUrl(setting, base);
  return liftBackend(setting, { logger: ctx.log });
}

/** The one info line logged when the embedded adapters are used, or `null` when both are configured. */
export function embeddedNotice(conf: ResolvedConfig, brokerDefault: boolean, backendDefault: boolean): string | null {
  const paths = embeddedPaths(conf);
  const broker = `the embedded filesystem broker at ${displayPath(paths.broker)}`;
  const results = `the embedded filesystem result backend at ${displayPath(paths.results)}`;
  if (brokerDefault && backendDefault) return `no broker or result backend configured: using ${broker} and ${results}`;
  if (brokerDefault) return `no broker configured: using ${broker}`;
  if (backendDefault) return `no result backend configured: using ${results}`;
  return null;
}
