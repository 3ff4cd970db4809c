/**
 * The `@q/backend-redis` plugin: registers the result-backend URL schemes `redis`, `rediss`, `redis+socket` and
 * `sentinel`, so `createApp({ backend: 'redis://…' })` and `q --result-backend redis://…` work without importing
 * this package (core looks the scheme up in its scheme table and sets this plugin up).
 */
import type { Plugin } from '@q/core';
import { redisBackend } from './redis-backend.js';

/** URL schemes served by this package. */
export const REDIS_BACKEND_SCHEMES = ['redis', 'rediss', 'redis+socket', 'sentinel'] as const;

/** The plugin; `result.backendOptions` become the connection options (`transportOptions`). */
export const qPlugin: Plugin = {
  name: '@q/backend-redis',
  setup(api) {
    api.backend(REDIS_BACKEND_SCHEMES, (ctx) =>
      redisBackend({ url: ctx.url, transportOptions: { ...ctx.options }, logger: ctx.logger }),
    );
  },
};
