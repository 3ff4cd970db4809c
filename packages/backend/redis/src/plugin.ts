/**
 * The `@q/backend-redis` plugin: registers the result-backend URL schemes `redis`, `rediss`, `redis+socket` and
 * `sentinel`, so `createApp({ backend: 'redis://…' })` and `q --result-backend redis://…` work without importing
 * this package (core looks the scheme up in its scheme table and sets this plugin up); and the same schemes for the
 * beat store and lock (`beat.store` / `beat.lock`: keys `q:beat:<name>:state` and `q:beat:<name>:lock`).
 */
import type { Plugin } from '@q/core';
import { redisBeatLock, redisBeatStore } from './beat/index.js';
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
    api.beatStore(REDIS_BACKEND_SCHEMES, (ctx) => redisBeatStore({ url: ctx.url, name: ctx.name, logger: ctx.logger }));
    api.beatLock(REDIS_BACKEND_SCHEMES, (ctx) => redisBeatLock({ url: ctx.url, name: ctx.name, logger: ctx.logger }));
  },
};
