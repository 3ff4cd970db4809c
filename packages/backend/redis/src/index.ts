/**
 * `@q/backend-redis`: Celery's Redis result backend for q — `celery-task-meta-<id>` documents written with
 * SETEX + PUBLISH, results pushed over pub/sub, groups, and native chords (`.j`/`.t`/`.s`).
 *
 * ```ts
 * import { createApp } from '@q/core';
 * import { redisBackend } from '@q/backend-redis';
 * const app = createApp({ backend: redisBackend('redis://127.0.0.1:6379/1') });
 * ```
 */
export { redisBackend, REDIS_BACKEND_CAPABILITIES } from './redis-backend.js';
export type { RedisBackend } from './redis-backend.js';
export { redisKeyValueDriver } from './redis-key-value-driver.js';
export type { RedisKeyValueDriver } from './redis-key-value-driver.js';
export { DEFAULT_CHORD_EXPIRES, DEFAULT_REDIS_URL } from './options.js';
export type { RedisBackendOptions, RedisKeyValueDriverOptions } from './options.js';
export { chordKeys, groupKey, taskKey } from './keys.js';
export type { ChordKeys } from './keys.js';
export { qPlugin, REDIS_BACKEND_SCHEMES } from './plugin.js';
export { BEAT_KEY_PREFIX, redisBeatLock, redisBeatStore } from './beat/index.js';
export type { RedisBeatLock, RedisBeatOptions, RedisBeatStore } from './beat/index.js';
