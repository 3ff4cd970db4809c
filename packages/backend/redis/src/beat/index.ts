/** Beat state and lock on Redis (`beat.store` / `beat.lock` = `redis://…`). */
export { redisBeatStore } from './redis-beat-store.js';
export type { RedisBeatStore } from './redis-beat-store.js';
export { redisBeatLock } from './redis-beat-lock.js';
export type { RedisBeatLock } from './redis-beat-lock.js';
export { BEAT_KEY_PREFIX } from './beat-redis-connection.js';
export type { RedisBeatOptions } from './beat-redis-connection.js';
