/**
 * The `@q/transport-redis` plugin: registers the broker URL schemes `redis`, `rediss`, `redis+socket` and
 * `sentinel`, so `createApp({ broker: 'redis://…' })` and `q -b redis://…` load this package on demand.
 */
import type { Plugin } from '@q/core';
import { redisTransport } from './redis-transport.js';

/** URL schemes this package serves. */
export const REDIS_SCHEMES = ['redis', 'rediss', 'redis+socket', 'sentinel'] as const;

/** The plugin (`qPlugin` is the export core's URL resolver looks for). */
export const qPlugin: Plugin = {
  name: '@q/transport-redis',
  setup(api) {
    api.transport(REDIS_SCHEMES, (ctx) => redisTransport({ url: ctx.url, transportOptions: ctx.options, logger: ctx.logger }));
  },
};
