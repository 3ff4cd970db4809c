/**
 * Helpers for adapter factories (`api.transport(schemes, factory)`).
 */
import type { UrlFactoryContext } from '../contracts/plugin.js';

/**
 * `ctx.options` with `key` set to `value` unless the options or the URL's query (`?key=…`) already set it: how an
 * adapter lets an app-wide setting (`connectTimeoutMs`) fill in its own kombu-named option.
 */
export function withDefaultOption(ctx: UrlFactoryContext, key: string, value: unknown): Record<string, unknown> {
  if (value === undefined || ctx.options[key] !== undefined || ctx.parsed.searchParams.has(key)) return ctx.options;
  return { ...ctx.options, [key]: value };
}
