export { parseRedisUrl } from './parse-redis-url.js';
export type { ParsedRedisUrl, RedisUrlKind } from './parse-redis-url.js';
export { createRedisClient, clientOptions, newRedisClient, reconnectDelay } from './create-redis-client.js';
export { coalesceWrites } from './coalesce-writes.js';
export { closeClient } from './close-client.js';
export { connectClient, tlsVerifyFailure } from './connect-client.js';
export type { RedisClientOptions, RedisClientRole } from './create-redis-client.js';
export { maskRedisUrl } from './mask-redis-url.js';
