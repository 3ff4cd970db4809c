/**
 * The harness's own Redis connection (db 5): flushing between scenarios and reading progress.
 */
import { Redis } from 'ioredis';
import { REDIS_DB, REDIS_URL } from './config.js';

/** Opens the harness connection and checks it is on db 5. */
export async function openRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 3_000 });
  await redis.connect();
  if (redis.options.db !== REDIS_DB) throw new Error(`harness Redis must use db ${REDIS_DB}, got ${redis.options.db}`);
  return redis;
}

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

/** Redis server version. */
export async function redisVersion(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}
