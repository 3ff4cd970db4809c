/** Options of the Redis key-value driver and result backend. */
import type { Logger } from '@q/core';
import type { RedisClientRole } from '@q/redis-client';
import type { Redis } from 'ioredis';

/** The default URL: Celery's `redis://` (localhost, port 6379, database 0). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** Options of `redisKeyValueDriver()`. */
export interface RedisKeyValueDriverOptions {
  /**
   * `redis://[user:password@]host[:port][/db]`, `rediss://…` (TLS), `redis+socket:///path?virtual_host=<db>`,
   * `sentinel://host:port[;sentinel://…][/db]` (with `transportOptions.master_name`). Default {@link DEFAULT_REDIS_URL}.
   */
  url?: string;
  /**
   * Connection options (Celery's `result_backend_transport_options`): `master_name`, `socket_connect_timeout`,
   * `socket_timeout` (seconds), `socket_keepalive`, `username`, `password`, `sentinel_kwargs`, `clientName`,
   * `maxReconnectDelayMs`, and `redisOptions` passed to ioredis as they are.
   */
  transportOptions?: Record<string, unknown>;
  logger?: Logger;
  /**
   * After a reconnect, read the watched keys again and hand their values to the subscribers (what was published
   * while the connection was down is otherwise lost; Python's result consumer does the same). Default true.
   */
  refetchOnReconnect?: boolean;
  /** Make the ioredis clients yourself (tests, custom clients); default `createRedisClient` of `@q/redis-client`. */
  createClient?: (role: RedisClientRole) => Redis;
}

/** Options of `redisBackend()`. */
export interface RedisBackendOptions extends RedisKeyValueDriverOptions {
  /**
   * Time to live of the chord keys `.j`, `.t` and `.s`, seconds, renewed by every header task (Celery uses
   * `result_expires`, one day by default). `null` sets none.
   */
  chordExpires?: number | null;
}

/** Celery's default expiry of the chord keys: one day, in seconds. */
export const DEFAULT_CHORD_EXPIRES = 86_400;
