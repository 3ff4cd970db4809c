/**
 * `redisBeatLock()`: the lease that lets one beat of several send (RedBeat's lock). Key `q:beat:<name>:lock` holds
 * the holder's random token with a TTL in ms. Taking and renewing is one script (the key is free: `SET … PX`; it
 * holds our token: `PEXPIRE`; another token: refused), releasing is compare-and-delete, so a beat never renews or
 * deletes a lease another took after its own ran out. A holder that dies stops renewing: the key expires after the
 * TTL and another beat takes it on its next tick.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { BeatLock } from '@q/core';
import { DEFAULT_REDIS_URL } from '../options.js';
import { BEAT_KEY_PREFIX, BeatRedisConnection, type RedisBeatOptions } from './beat-redis-connection.js';

/** Take the free lease or renew ours: 1 when held afterwards, 0 when another holds it. */
const ACQUIRE = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Delete the lease when it is still ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The Redis beat lock; `key` holds `token` while this lock holds the lease. */
export interface RedisBeatLock extends BeatLock {
  readonly key: string;
  readonly token: string;
}

/** A beat lock on Redis (connects on first use). */
export function redisBeatLock(options: RedisBeatOptions = {}): RedisBeatLock {
  const url = options.url ?? DEFAULT_REDIS_URL;
  const key = `${options.keyPrefix ?? BEAT_KEY_PREFIX}${options.name ?? 'celery'}:lock`;
  const token = `${hostname()}:${process.pid}:${randomUUID()}`;
  const conn = new BeatRedisConnection(url, options.transportOptions ?? {}, options.logger);
  return {
    key,
    token,
    async acquire(ttlMs: number): Promise<boolean> {
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      return (await conn.call('beat lock acquire', (client) => client.eval(ACQUIRE, 1, key, token, ttl))) === 1;
    },
    async release(): Promise<void> {
      await conn.call('beat lock release', (client) => client.eval(RELEASE, 1, key, token));
    },
    close: () => conn.close(),
    describe: () => `${conn.where} key ${key}`,
  };
}
