/**
 * The `@q/backend-pg` plugin: registers the result-backend URL schemes `postgresql`, `postgres`, `db+postgresql` and
 * `db+postgresql+psycopg2`, so `createApp({ backend: 'db+postgresql://…' })` and `q --result-backend …` work
 * without importing this package; and the same schemes for the beat store (table `public.q_beat_state`) and lock (a
 * session-level advisory lock) of `beat.store` / `beat.lock`.
 */
import type { Plugin } from '@q/core';
import { pgBeatLock, pgBeatStore } from './beat/index.js';
import { pgBackend } from './pg-backend.js';
import { pgBackendOptionsFrom } from './options-from-config.js';

/** URL schemes served by this package. */
export const PG_BACKEND_SCHEMES = ['postgresql', 'postgres', 'db+postgresql', 'db+postgresql+psycopg2'] as const;

/** The plugin; `result.backendOptions` become {@link PgBackendOptions} (`tableNames`, `tableSchemas`, `chords`, …). */
export const qPlugin: Plugin = {
  name: '@q/backend-pg',
  setup(api) {
    api.backend(PG_BACKEND_SCHEMES, (ctx) => pgBackend({ ...pgBackendOptionsFrom(ctx.options), url: ctx.url, logger: ctx.logger }));
    api.beatStore(PG_BACKEND_SCHEMES, (ctx) => pgBeatStore({ url: ctx.url, name: ctx.name, logger: ctx.logger }));
    api.beatLock(PG_BACKEND_SCHEMES, (ctx) => pgBeatLock({ url: ctx.url, name: ctx.name, logger: ctx.logger }));
  },
};
