/** Beat state and lock on PostgreSQL (`beat.store` / `beat.lock` = `postgresql://…`). */
export { pgBeatStore } from './pg-beat-store.js';
export type { PgBeatStore } from './pg-beat-store.js';
export { pgBeatLock } from './pg-beat-lock.js';
export type { PgBeatLock } from './pg-beat-lock.js';
export { DEFAULT_BEAT_TABLE } from './pg-beat-options.js';
export type { PgBeatOptions } from './pg-beat-options.js';
