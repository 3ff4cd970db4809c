/**
 * `redisBeatStore()`: a beat's state as one JSON document in Redis, key `q:beat:<name>:state` (no expiry). Beats
 * of one schedule on several hosts share it: the one holding the lock writes it, a successor reads it and goes on
 * from the last-run times its predecessor saved.
 */
import type { BeatState, BeatStore } from '@q/core';
import { parseBeatState } from '@q/core/adapter';
import { DEFAULT_REDIS_URL } from '../options.js';
import { BEAT_KEY_PREFIX, BeatRedisConnection, type RedisBeatOptions } from './beat-redis-connection.js';

/** The Redis beat store; `key` is where the state lives. */
export interface RedisBeatStore extends BeatStore {
  readonly key: string;
}

/** A beat store on Redis (connects on first use). */
export function redisBeatStore(options: RedisBeatOptions = {}): RedisBeatStore {
  const url = options.url ?? DEFAULT_REDIS_URL;
  const key = `${options.keyPrefix ?? BEAT_KEY_PREFIX}${options.name ?? 'celery'}:state`;
  const conn = new BeatRedisConnection(url, options.transportOptions ?? {}, options.logger);
  return {
    key,
    async load(): Promise<BeatState | null> {
      const text = await conn.call('beat state load', (client) => client.get(key));
      if (text === null) return null;
      const state = parseBeatState(text);
      if (state === null) options.logger?.warn({ key }, 'redis beat store: the stored state is not a beat state; starting afresh');
      return state;
    },
    async save(state: BeatState): Promise<void> {
      await conn.call('beat state save', (client) => client.set(key, JSON.stringify(state)));
    },
    close: () => conn.close(),
    describe: () => `${conn.where} key ${key}`,
  };
}
