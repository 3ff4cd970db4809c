/**
 * ioredis clients with q's reconnect policy: reconnect forever with capped exponential backoff, and
 * (for blocking and subscriber clients) never fail a queued command because of a reconnect.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesce-writes.js';
import { parseRedisUrl, type ParsedRedisUrl } from './parse-redis-url.js';

/** What a client is for; it picks the retry policy and goes into the client name. */
export type RedisClientRole = 'command' | 'blocking' | 'subscriber';

/** Options of {@link createRedisClient} (on top of kombu's transport options, see `parseRedisUrl`). */
export interface RedisClientOptions extends Record<string, unknown> {
  /** CLIENT SETNAME sent on every (re)connection; default `q:<role>:<pid>`. */
  clientName?: string;
  /** Cap of the reconnect backoff in ms (default 2000). */
  maxReconnectDelayMs?: number;
}

/** Reconnect delay for attempt `n` (1-based): 50 ms doubling, capped. Never gives up. */
export function reconnectDelay(attempt: number, capMs = 2000): number {
  return Math.min(capMs, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
}

/** Builds the ioredis options for a role from a parsed URL (exported for tests). */
export function clientOptions(parsed: ParsedRedisUrl, role: RedisClientRole, options: RedisClientOptions = {}): RedisOptions {
  const cap = options.maxReconnectDelayMs ?? 2000;
  const opts: RedisOptions = {
    ...parsed.redis,
    connectionName: options.clientName ?? `q:${role}:${process.pid}`,
    retryStrategy: (times: number) => reconnectDelay(times, cap),
    enableOfflineQueue: true,
    lazyConnect: true,
  };
  if (parsed.kind === 'sentinel') opts.sentinelRetryStrategy = (times: number) => reconnectDelay(times, cap);
  // A command survives reconnects; blocking and subscriber clients wait as long as it takes.
  opts.maxRetriesPerRequest = role === 'command' ? 20 : null;
  if (role === 'blocking') opts.enableReadyCheck = true;
  return opts;
}

/**
 * Creates an ioredis client for a URL (see `parseRedisUrl` for the forms). The client connects lazily
 * (`await client.connect()` or the first command).
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}, role: RedisClientRole = 'command'): Redis {
  const parsed = parseRedisUrl(url, options);
  return newRedisClient(clientOptions(parsed, role, options));
}

/** An ioredis client from ready-made options that sends the commands of one event-loop turn in one write. */
export function newRedisClient(options: RedisOptions): Redis {
  return coalesceWrites(new Redis(options));
}
