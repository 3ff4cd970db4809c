/**
 * The `@q/transport-redis` plugin: registers the broker URL schemes `redis`, `rediss`, `redis+socket` and
 * `sentinel`, so `createApp({ broker: 'redis://…' })` and `q -b redis://…` load this package on demand.
 */
import { withDefaultOption } from '@q/core/adapter';
import type { Plugin, UrlFactoryContext } from '@q/core';
import { redisTransport } from './redis-transport.js';

/** URL schemes this package serves. */
export const REDIS_SCHEMES = ['redis', 'rediss', 'redis+socket', 'sentinel'] as const;

/** The plugin (`qPlugin` is the export core's URL resolver looks for). */
export const qPlugin: Plugin = {
  name: '@q/transport-redis',
  setup(api) {
    api.transport(REDIS_SCHEMES, (ctx) => redisTransport({ url: ctx.url, transportOptions: urlOptions(ctx), logger: ctx.logger }));
  },
};

/**
 * The transport options, with the app's `brokerOptions.connectionTimeout` as `socket_connect_timeout` and its
 * `brokerOptions.visibilityTimeout` (when set) as `visibility_timeout`, each unless the options or the URL query set it.
 */
function urlOptions(ctx: UrlFactoryContext): Record<string, unknown> {
  const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
  const withConnect = withDefaultOption(ctx, 'socket_connect_timeout', seconds(ctx.connectTimeoutMs));
  return withDefaultOption({ ...ctx, options: withConnect }, 'visibility_timeout', seconds(ctx.visibilityTimeoutMs));
}
