/**
 * `@q/transport-redis`: kombu's Redis transport for q (wire-compatible with Celery). The connection code it shares
 * with `@q/backend-redis` (URL parsing, TLS, ioredis clients) lives in `@q/redis-client`; kombu's key names are
 * internals of this package.
 */
export { redisTransport } from './redis-transport.js';
export type { RedisTransportOptions } from './redis-transport.js';
export { REDIS_DRIVER_CAPABILITIES, RedisQueueDriver, redisQueueDriver } from './redis-queue-driver.js';
export { DEFAULT_URL, DEFAULT_VISIBILITY_TIMEOUT_MS } from './options.js';
/** `ResolvedRedisOptions` (and the `KeyNaming` in it) is the type of `RedisQueueDriver.options`. */
export type { RedisQueueDriverOptions, ResolvedRedisOptions } from './options.js';
export type { KeyNaming } from './keys.js';
export { REDIS_SCHEMES, qPlugin } from './plugin.js';
