/**
 * Resolves a beat store or lock URL (`redis://…`, `postgresql://…`) through the plugins, as broker and backend URLs
 * are: a scheme a plugin registered (`api.beatStore` / `api.beatLock`) → its factory; otherwise the result-backend
 * package of that scheme ({@link SCHEME_PACKAGES}) is imported from `resolveFrom` and its `qPlugin` set up, which
 * registers its beat store and lock. An unknown scheme is a `ConfigError` listing the known ones.
 */
import type { BeatLock, BeatStateContext, BeatStore } from '../contracts/beat-state.js';
import type { Logger } from '../contracts/logger.js';
import type { Plugin } from '../contracts/plugin.js';
import { closest } from '../config/config-schema.js';
import { ConfigError } from '../errors/q-error.js';
import type { PluginHost } from './plugin-host.js';
import { SCHEME_PACKAGES, type SchemePackages } from './scheme-packages.js';
import { importPackagePlugin, parseAdapterUrl } from './url-resolver.js';

/** What resolving a beat state URL needs. */
export interface BeatStateResolveContext {
  host: PluginHost;
  /** Directory adapter packages are resolved from (the app's `resolveFrom`). */
  resolveFrom: string;
  /** Names the schedule (`BeatStateContext.name`). */
  name: string;
  logger: Logger;
  /** Scheme → package tables (default {@link SCHEME_PACKAGES}; a beat store comes with the result-backend package). */
  packages?: SchemePackages;
  /** Imports a package's plugin (tests). */
  importPlugin?: (pkg: string, resolveFrom: string) => Promise<Plugin>;
}

type Kind = 'store' | 'lock';

/** The beat store a URL names. @throws ConfigError `Q_ERR_URL_INVALID`, `Q_ERR_URL_SCHEME_UNKNOWN`. */
export async function resolveBeatStoreUrl(url: string, ctx: BeatStateResolveContext): Promise<BeatStore> {
  const { factoryContext, scheme } = await prepare('store', url, ctx);
  const factory = ctx.host.beatStoreFactory(scheme);
  if (!factory) throw unknownScheme('store', scheme, ctx);
  return factory(factoryContext);
}

/** The beat lock a URL names. @throws ConfigError `Q_ERR_URL_INVALID`, `Q_ERR_URL_SCHEME_UNKNOWN`. */
export async function resolveBeatLockUrl(url: string, ctx: BeatStateResolveContext): Promise<BeatLock> {
  const { factoryContext, scheme } = await prepare('lock', url, ctx);
  const factory = ctx.host.beatLockFactory(scheme);
  if (!factory) throw unknownScheme('lock', scheme, ctx);
  return factory(factoryContext);
}

function registered(kind: Kind, host: PluginHost, scheme: string): boolean {
  return (kind === 'store' ? host.beatStoreFactory(scheme) : host.beatLockFactory(scheme)) !== undefined;
}

async function prepare(kind: Kind, url: string, ctx: BeatStateResolveContext): Promise<{ factoryContext: BeatStateContext; scheme: string }> {
  const { parsed, scheme } = parseAdapterUrl(url, `beat ${kind}`);
  if (!registered(kind, ctx.host, scheme)) {
    const pkg = (ctx.packages ?? SCHEME_PACKAGES).backend[scheme];
    if (pkg !== undefined) {
      let plugin: Plugin;
      try {
        plugin = await (ctx.importPlugin ?? importPackagePlugin)(pkg, ctx.resolveFrom);
      } catch (err) {
        throw new ConfigError('Q_ERR_URL_SCHEME_UNKNOWN', `beat ${kind} URL scheme "${scheme}://" needs the package ${pkg}, which could not be loaded (install it with \`npm install ${pkg}\`): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (!ctx.host.has(plugin.name)) await ctx.host.use(plugin);
    }
  }
  return { factoryContext: { url, parsed, name: ctx.name, logger: ctx.logger }, scheme };
}

function unknownScheme(kind: Kind, scheme: string, ctx: BeatStateResolveContext): ConfigError {
  const known = kind === 'store' ? ctx.host.beatStoreSchemes() : ctx.host.beatLockSchemes();
  const guess = closest(scheme, known);
  const hint = guess === null ? '' : ` (did you mean ${guess}://?)`;
  const list = known.length === 0 ? 'none (install @q/backend-redis or @q/backend-pg)' : known.map((s) => `${s}://`).join(', ');
  return new ConfigError('Q_ERR_URL_SCHEME_UNKNOWN', `unknown beat ${kind} URL scheme "${scheme}://"${hint}; known schemes: ${list}`);
}
