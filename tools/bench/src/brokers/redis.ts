/**
 * Redis as the broker (db 5 only): the harness's own connection, flushed between scenarios; drain progress read
 * from kombu's layout (the `celery` list, the `unacked` hash, result keys with a TTL). BullMQ reads its own keys
 * through `redis`.
 */
import { Redis } from 'ioredis';
import { QUEUE, REDIS_DB, REDIS_URL } from '../config.js';
import { cloneQueue } from './redis-fill.js';
import type { Broker, Progress } from './types.js';

/** FLUSHDB of db 5 (the connection's database; other databases are never touched). */
export async function flush(redis: Redis): Promise<void> {
  if (redis.options.db !== REDIS_DB) throw new Error(`refusing to flush db ${redis.options.db}`);
  await redis.flushdb();
}

/** Keys with a time to live in db 5 (result documents are stored with one), from `INFO keyspace`. */
export async function keysWithTtl(redis: Redis): Promise<number> {
  const info = await redis.info('keyspace');
  const match = new RegExp(`^db${REDIS_DB}:keys=\\d+,expires=(\\d+)`, 'm').exec(info);
  return match?.[1] ? Number(match[1]) : 0;
}

/** Redis, database 5. */
export class RedisBroker implements Broker {
  readonly name = 'redis' as const;
  readonly title = 'Redis';
  readonly url = REDIS_URL;
  readonly redis: Redis;
  #closed = false;

  private constructor(redis: Redis) {
    this.redis = redis;
  }

  /** Opens the harness connection and checks it is on db 5. */
  static async open(): Promise<RedisBroker> {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 3_000 });
    await redis.connect();
    if (redis.options.db !== REDIS_DB) throw new Error(`harness Redis must use db ${REDIS_DB}, got ${redis.options.db}`);
    return new RedisBroker(redis);
  }

  /** Results on: the Redis result backend on the same database; results off: no backend at all. */
  resultBackend(results: boolean): string | null {
    return results ? REDIS_URL : null;
  }

  async version(): Promise<string> {
    const info = await this.redis.info('server');
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  }

  reset(): Promise<void> {
    return flush(this.redis);
  }

  fill(n: number): Promise<void> {
    return cloneQueue(this.redis, QUEUE, n);
  }

  async progress(n: number, results: boolean): Promise<Progress> {
    const [[, waiting], [, unacked]] = (await this.redis.multi().llen(QUEUE).hlen('unacked').exec()) as [[null, number], [null, number]];
    // Results off: a task is done once acknowledged (Celery and q ack before running; the no-op takes
    // microseconds). Results on: result documents are the only keys with a TTL (result_expires, 1 day).
    const finished = results ? await keysWithTtl(this.redis) : n - waiting - unacked;
    return { taken: n - waiting, finished };
  }

  async checkDrain(): Promise<void> {
    // Progress already counted what matters (results stored, nothing left unacknowledged).
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await flush(this.redis).catch(() => undefined);
    this.redis.disconnect();
  }
}
