/**
 * `@q/transport-redis`: kombu's Redis transport for q (wire-compatible with Celery), plus (for now) the connection
 * helpers of `@q/redis-client`.
 */
export * from '@q/redis-client';
export { redisTransport } from './redis-transport.js';
export type { RedisTransportOptions } from './redis-transport.js';
export { REDIS_DRIVER_CAPABILITIES, RedisQueueDriver, redisQueueDriver } from './redis-queue-driver.js';
export { DEFAULT_URL, DEFAULT_VISIBILITY_TIMEOUT_MS, resolveRedisOptions } from './options.js';
export type { RedisQueueDriverOptions, ResolvedRedisOptions } from './options.js';
export {
  DEFAULT_SEP,
  PRIORITY_STEPS,
  bindingKey,
  bindingMember,
  fanoutChannel,
  fanoutPattern,
  priorityStep,
  queueListName,
  reserveKeys,
} from './keys.js';
export type { KeyNaming } from './keys.js';
export { REDIS_SCHEMES, qPlugin } from './plugin.js';
