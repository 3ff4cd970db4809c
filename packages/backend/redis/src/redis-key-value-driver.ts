/**
 * `redisKeyValueDriver()`: the tier-2 {@link KeyValueDriver} over Redis, as Celery's Redis backend uses it.
 *
 * - `set`: `MULTI; SETEX key <s> value` (`PSETEX` for sub-second expiries, plain `SET` without one)
 *   `; PUBLISH key value; EXEC` — the PUBLISH is what wakes Python's `AsyncResult.get()`.
 * - `get`/`mget`/`delete`: `GET`, `MGET`, `DEL`; `incr`: `MULTI; INCRBY; PEXPIRE; EXEC`.
 * - `subscribe`: `SUBSCRIBE <key>` on one dedicated subscriber connection shared by every subscription, made on
 *   first use; resubscribed after a reconnect, and then the keys are read again (see `refetchOnReconnect`).
 * - `close()`: QUIT, or a connection still connecting is dropped at once (see `closeClient`). Subscriptions
 *   still being made reject with `ConnectionError` `Q_ERR_CONNECTION_LOST` "redis backend <url> is closed", as
 *   do later ones until `connect()`; active ones are ended with that error (`subscribe`'s `onEnd`, so a waiting
 *   `get()` rejects at once). The next subscription after `connect()` makes a new subscriber connection.
 * - A subscriber connection that ends for good (its client gives up reconnecting: only with a `retryStrategy` of
 *   one's own, the default one reconnects forever) ends its subscriptions the same way ("redis backend <url>: the
 *   subscriber connection ended"); the next subscription makes a new one.
 */
import type { KeyValueDriver, Logger } from '@q/core';
import type { KeyValueSetOptions } from '@q/core/adapter';
import { ConnectionError, silentLogger } from '@q/core';
import { closeClient, connectClient, createRedisClient, maskRedisUrl, type RedisClientRole } from '@q/redis-client';
import type { Redis } from 'ioredis';
import { DEFAULT_REDIS_URL, type RedisKeyValueDriverOptions } from './options.js';
import { connectError, execTransaction, redisCall } from './redis-errors.js';
import { SubscriptionHub, type SubscriberPort } from './subscription-hub.js';

/** The Redis key-value driver; `client` is its command connection (for what a backend does natively). */
export interface RedisKeyValueDriver extends KeyValueDriver {
  readonly client: Redis;
  readonly logger: Logger;
  subscribe(key: string, onValue: (value: string) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>>;
}

/** Add a SET with Celery's expiry rule to a transaction: SETEX whole seconds, PSETEX otherwise, SET for none. */
export function addSet(tx: ReturnType<Redis['multi']>, key: string, value: string, ttlMs: number | null): void {
  if (ttlMs === null) tx.set(key, value);
  else if (ttlMs % 1000 === 0 && ttlMs > 0) tx.setex(key, ttlMs / 1000, value);
  else tx.psetex(key, Math.max(1, Math.round(ttlMs)), value);
}

/** Log connection errors (ioredis emits them as events; unhandled they would reach the console). */
function watchErrors(client: Redis, role: RedisClientRole, url: string, logger: Logger): void {
  let reported = false;
  client.on('error', (err: unknown) => {
    if (reported) return logger.debug({ err, role }, 'redis: connection error');
    reported = true;
    logger.warn({ err, role, url }, 'redis: connection error (reconnecting)');
  });
  client.on('ready', () => {
    reported = false;
  });
}

/**
 * Connect `client` with `connectClient` of `@q/redis-client`: one real attempt; a failure stops the client (not
 * left reconnecting in the background), so the app's start-up retry calls this again for a fresh attempt instead
 * of "connecting" at once while still offline. A server certificate that fails TLS verification is a final, named
 * error; other failures stay retryable.
 */
async function connect(client: Redis, what: string, where: string): Promise<void> {
  try {
    await connectClient(client);
  } catch (error) {
    throw connectError(error, what, where);
  }
}

function subscriberPort(sub: Redis): SubscriberPort {
  return {
    subscribe: async (channel) => {
      await sub.subscribe(channel);
    },
    unsubscribe: async (channel) => {
      await sub.unsubscribe(channel);
    },
    onMessage: (handler) => {
      sub.on('message', handler);
    },
    onReconnect: (handler) => {
      let first = true;
      sub.on('ready', () => {
        if (first) first = false;
        else handler();
      });
    },
  };
}

/** Create a Redis key-value driver (unconnected; `connect()` or the first command connects). */
export function redisKeyValueDriver(options: RedisKeyValueDriverOptions | string = {}): RedisKeyValueDriver {
  const opts = typeof options === 'string' ? { url: options } : options;
  const url = opts.url ?? DEFAULT_REDIS_URL;
  const where = maskRedisUrl(url);
  const logger = opts.logger ?? silentLogger;
  const transportOptions = opts.transportOptions ?? {};
  const make = (role: RedisClientRole): Redis => {
    const client = opts.createClient ? opts.createClient(role) : createRedisClient(url, transportOptions, role);
    watchErrors(client, role, where, logger);
    return client;
  };
  const client = make('command');
  let subscriber: Redis | null = null;
  let hub: SubscriptionHub | null = null;
  /** From `close()` until the next `connect()`. */
  let closed = false;
  const closedError = (): ConnectionError =>
    new ConnectionError('Q_ERR_CONNECTION_LOST', `redis backend ${where} is closed`, { retryable: true });

  const refetch = async (channels: string[]): Promise<void> => {
    const values = await client.mget(...channels);
    values.forEach((value, i) => {
      if (value !== null && hub) hub.deliver(channels[i] as string, value);
    });
  };
  const subscriptions = async (): Promise<SubscriptionHub> => {
    if (hub) return hub;
    const sub = make('subscriber');
    const shared = new SubscriptionHub(subscriberPort(sub), logger, (channels) => {
      if (opts.refetchOnReconnect === false) return;
      refetch(channels).catch((err: unknown) => logger.warn({ err }, 'redis: reading watched keys after reconnect failed'));
    });
    [subscriber, hub] = [sub, shared];
    try {
      await connect(sub, 'connect (subscriber)', where);
    } catch (error) {
      // A failed connect stopped the subscriber: the next subscription starts with a new one.
      if (sub.status === 'end' && hub === shared) [subscriber, hub] = [null, null];
      throw closed ? closedError() : error;
    }
    // Connected, the client reconnects by itself; `end` means it gave up (or `close()` ended it: hub already reset).
    sub.once('end', () => {
      if (hub !== shared) return;
      [subscriber, hub] = [null, null];
      logger.warn({ url: where }, 'redis: the subscriber connection ended; waiting results are failed');
      shared.close(new ConnectionError('Q_ERR_CONNECTION_LOST', `redis backend ${where}: the subscriber connection ended`, { retryable: true }));
    });
    return shared;
  };
  const subscribe = async (key: string, onValue: (value: string) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>> => {
    if (closed) throw closedError();
    const shared = await subscriptions();
    return redisCall('SUBSCRIBE', () => shared.add(key, onValue, onEnd));
  };

  return {
    capabilities: Object.freeze({ subscribe: true, atomicIncr: true }),
    client,
    logger,
    async connect() {
      closed = false;
      await connect(client, 'connect', where);
    },
    async close() {
      closed = true;
      // The subscriptions being made fail now (also one whose SUBSCRIBE waits on a connection being dropped).
      const [sub, shared] = [subscriber, hub];
      [subscriber, hub] = [null, null];
      shared?.close(closedError());
      await Promise.all([closeClient(client), sub ? closeClient(sub) : Promise.resolve()]);
    },
    get: (key) => redisCall('GET', () => client.get(key)),
    async mget(keys) {
      if (keys.length === 0) return [];
      return redisCall('MGET', () => client.mget(...keys));
    },
    async set(key: string, value: string, setOptions: KeyValueSetOptions) {
      const tx = client.multi();
      addSet(tx, key, value, setOptions.ttlMs);
      if (setOptions.publish) tx.publish(key, value);
      await execTransaction('SET', tx);
    },
    async delete(key) {
      await redisCall('DEL', () => client.del(key));
    },
    async incr(key, by, ttlMs) {
      const tx = client.multi().incrby(key, by);
      if (ttlMs !== null) tx.pexpire(key, Math.max(1, Math.round(ttlMs)));
      const [value] = await execTransaction('INCRBY', tx);
      return Number(value);
    },
    subscribe,
    describe: () => where,
  };
}
