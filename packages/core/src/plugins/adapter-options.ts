/**
 * Helpers for adapter factories (`api.transport(schemes, factory)`).
 */
import type { UrlFactoryContext } from '../contracts/plugin.js';

/**
 * `ctx.options` with `key` set to `value` unless the options or the URL's query (`?key=…`) already set it: how an
 * adapter lets an app-wide setting (`connectTimeoutMs`) fill in its own kombu-named option. An empty query value
 * (`?key=`) counts as not set, as adapters read it.
 */
export function withDefaultOption(ctx: UrlFactoryContext, key: string, value: unknown): Record<string, unknown> {
  const query = ctx.parsed.searchParams.get(key);
  if (value === undefined || ctx.options[key] !== undefined || (query !== null && query !== '')) return ctx.options;
  return { ...ctx.options, [key]: value };
}
