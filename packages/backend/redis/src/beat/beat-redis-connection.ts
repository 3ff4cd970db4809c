/**
 * The one Redis connection a beat store or lock uses: made with `@q/redis-client` (kombu's URL forms, q's reconnect
 * policy), connected on first use, errors mapped to q errors, closed without leaving a timer.
 */
import type { Logger } from '@q/core';
import { closeClient, connectClient, createRedisClient, maskRedisUrl, type RedisClientOptions } from '@q/redis-client';
import type { Redis } from 'ioredis';
import { connectError, redisCall } from '../redis-errors.js';

/** Options shared by {@link redisBeatStore} and {@link redisBeatLock}. */
export interface RedisBeatOptions {
  /** `redis://…`, `rediss://…`, `redis+socket://…` or `sentinel://…` (default `redis://127.0.0.1:6379/0`). */
  url?: string;
  /** Names the schedule: keys are `<keyPrefix><name>:state` and `…:lock` (default `celery`). */
  name?: string;
  /** Default `q:beat:`. */
  keyPrefix?: string;
  /** Connection options (kombu's transport options, `clientName`, …). */
  transportOptions?: RedisClientOptions;
  logger?: Logger;
}

/** The default key prefix of beat keys. */
export const BEAT_KEY_PREFIX = 'q:beat:';

/** A lazily connected command client. */
export class BeatRedisConnection {
  readonly where: string;
  readonly #url: string;
  readonly #options: RedisClientOptions;
  readonly #logger: Logger | undefined;
  #client: Redis | null = null;
  #connecting: Promise<Redis> | null = null;

  constructor(url: string, options: RedisClientOptions, logger: Logger | undefined) {
    this.#url = url;
    this.#options = options;
    this.#logger = logger;
    this.where = maskRedisUrl(url);
  }

  /** Runs `fn` on the connected client (connecting first when needed); ioredis errors become q errors. */
  async call<T>(what: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.#connected();
    return redisCall(what, () => fn(client));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#connecting = null;
    if (client) await closeClient(client);
  }

  #connected(): Promise<Redis> {
    this.#connecting ??= this.#connect().catch((error: unknown) => {
      this.#connecting = null;
      throw error;
    });
    return this.#connecting;
  }

  async #connect(): Promise<Redis> {
    const client = createRedisClient(this.#url, { clientName: `q:beat:${process.pid}`, ...this.#options }, 'command');
    let reported = false;
    client.on('error', (err: unknown) => {
      if (!reported) this.#logger?.warn({ err, url: this.where }, 'redis beat: connection error (reconnecting)');
      reported = true;
    });
    client.on('ready', () => {
      reported = false;
    });
    this.#client = client;
    try {
      await connectClient(client);
    } catch (error) {
      throw connectError(error, 'beat connect', this.where);
    }
    return client;
  }
}
