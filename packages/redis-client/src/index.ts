/**
 * `@q/redis-client`: the Redis connection code `@q/transport-redis` and `@q/backend-redis` share — kombu's Redis
 * URLs and redis-py's `ssl_*` settings parsed into ioredis options, ioredis clients with q's reconnect policy,
 * connecting for real once per call, closing without leaving a timer, one socket write per event-loop turn, and
 * per-turn batching.
 */
export { parseRedisUrl } from './parse-redis-url.js';
export type { ParsedRedisUrl, RedisUrlKind } from './parse-redis-url.js';
export { createRedisClient, clientOptions, newRedisClient, reconnectDelay } from './create-redis-client.js';
export type { RedisClientOptions, RedisClientRole } from './create-redis-client.js';
export { coalesceWrites } from './coalesce-writes.js';
export { closeClient, stopClient } from './close-client.js';
export { connectClient, connectClients, tlsVerifyFailure } from './connect-client.js';
export { maskRedisUrl } from './mask-redis-url.js';
/** Moved to `@q/core/adapter` (shared by every adapter that batches a turn's operations); re-exported here. */
export { TickBatcher } from '@q/core/adapter';
export type { BatchFlush } from '@q/core/adapter';
