/**
 * The `@q/transport-redis` plugin: registers the broker URL schemes `redis`, `rediss`, `redis+socket` and
 * `sentinel`, so `createApp({ broker: 'redis://…' })` and `q -b redis://…` load this package on demand.
 */
import { withDefaultOption } from '@q/core';
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

/** The transport options, with the app's `brokerOptions.connectionTimeout` as `socket_connect_timeout` unless set. */
function urlOptions(ctx: UrlFactoryContext): Record<string, unknown> {
  return withDefaultOption(ctx, 'socket_connect_timeout', ctx.connectTimeoutMs === undefined ? undefined : ctx.connectTimeoutMs / 1000);
}
