/**
 * kombu's ack emulation, the parts that run after a message was reserved: ack (ZREM/HDEL), restore
 * (`restore_by_tag`: RPUSH a redelivered copy, drop the bookkeeping, atomically), lease renewal (ZADD XX with a
 * fresh score) and the visibility-timeout sweep under `unacked_mutex`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@q/core';
import { markRedelivered, pyJsonParse, pyJsonStringify } from '@q/core/adapter';
import { TickBatcher } from '@q/redis-client';
import { bindingKey, parseBindingMember, queueListName, type KeyNaming } from './keys.js';
import { ACK, RELEASE_MUTEX, RESTORE, evalScript } from './scripts.js';

/** What the store needs. */
export interface UnackedStoreConfig {
  naming: KeyNaming;
  unackedKey: string;
  unackedIndexKey: string;
  unackedMutexKey: string;
  unackedMutexExpireMs: number;
  unackedRestoreLimit: number;
  visibilityTimeoutMs: number;
  logger: Logger;
}

const ACK_CHUNK = 1000;

/** Epoch seconds as kombu writes them (`time()`). */
export function epochSeconds(now = Date.now()): string {
  return (now / 1000).toFixed(6);
}

export class UnackedStore {
  readonly #client: Redis;
  /** Acks and renewals go out on their own connection, never queued behind a reserve or a sweep. */
  readonly #settler: Redis;
  readonly #c: UnackedStoreConfig;
  readonly unacked: string;
  readonly index: string;
  readonly #mutex: string;
  readonly #acks: TickBatcher<string>;
  readonly #extends: TickBatcher<string>;

  readonly #mapError: (error: unknown, op: string) => unknown;

  /** `mapError` turns a failed batch of acks or renewals into the error their callers get. */
  constructor(client: Redis, config: UnackedStoreConfig, settler: Redis = client, mapError: (error: unknown, op: string) => unknown = (e) => e) {
    this.#client = client;
    this.#settler = settler;
    this.#c = config;
    this.#mapError = mapError;
    this.unacked = config.naming.prefix + config.unackedKey;
    this.index = config.naming.prefix + config.unackedIndexKey;
    this.#mutex = config.naming.prefix + config.unackedMutexKey;
    this.#acks = new TickBatcher((tags) => this.#ackMany(tags));
    this.#extends = new TickBatcher((tags) => this.#extendMany(tags));
  }

  /** Ack a tag; acks of one turn of the event loop go out as one script call. */
  ack(tag: string): Promise<void> {
    return this.#acks.add(tag);
  }

  /** Refresh a lease's score so the sweep leaves it alone (XX: never resurrects an acked tag). */
  extend(tag: string): Promise<void> {
    return this.#extends.add(tag);
  }

  /** Wait for batched acks and renewals. */
  async drain(): Promise<void> {
    await Promise.all([this.#acks.drain(), this.#extends.drain()]);
  }

  /** Fail every ack and renewal not done yet with `error` (the owner gave up on Redis). */
  abandon(error: unknown): void {
    this.#acks.abandon(error);
    this.#extends.abandon(error);
  }

  async #ackMany(tags: readonly string[]): Promise<unknown[]> {
    const unique = [...new Set(tags)];
    try {
      for (let i = 0; i < unique.length; i += ACK_CHUNK) {
        await evalScript(this.#settler, ACK, [this.unacked, this.index], unique.slice(i, i + ACK_CHUNK));
      }
    } catch (error) {
      throw this.#mapError(error, 'ack');
    }
    return [];
  }

  async #extendMany(tags: readonly string[]): Promise<unknown[]> {
    const score = epochSeconds();
    const args = [...new Set(tags)].flatMap((tag) => [score, tag]);
    try {
      await this.#settler.call('ZADD', this.index, 'XX', ...args);
    } catch (error) {
      throw this.#mapError(error, 'extend');
    }
    return [];
  }

  /**
   * Restore one tag: RPUSH the envelope, marked redelivered, to `queue` (or to the queues its exchange and
   * routing key lead to) unless someone else restored or acked it first. With `maxScore`, a lease renewed
   * since the sweep read it is left alone. Returns whether this call restored it.
   */
  async restore(tag: string, options: { queue?: string; maxScore?: string } = {}): Promise<boolean> {
    const value = await this.#client.hget(this.unacked, tag);
    if (value === null) return false;
    let envelope: unknown;
    let exchange = '';
    let routingKey = '';
    try {
      const entry = pyJsonParse(value);
      if (!Array.isArray(entry) || entry.length < 3) throw new Error('not a 3-element array');
      [envelope, exchange, routingKey] = entry as [unknown, string, string];
    } catch (error) {
      this.#c.logger.error({ err: error, deliveryTag: tag }, 'unacked entry is malformed; left in place');
      return false;
    }
    const payload = markRedelivered(pyJsonStringify(envelope));
    const priority = (envelope as { properties?: { priority?: unknown } }).properties?.priority;
    const queues = options.queue !== undefined ? [options.queue] : await this.#lookup(String(exchange), String(routingKey));
    const { prefix, sep } = this.#c.naming;
    const targets = queues.map((q) => prefix + queueListName(q, typeof priority === 'number' ? priority : 0, sep));
    const done = await evalScript(this.#client, RESTORE, [this.unacked, this.index, ...targets], [tag, value, payload, options.maxScore ?? '']);
    return done === 1;
  }

  /**
   * The queues a message published to `exchange` with `routingKey` goes to, from the binding set (kombu's
   * `_lookup`). Exchange `""` → the routing key's queue. No match → the routing key's queue too (kombu would
   * drop the message; q never drops a message it restores).
   */
  async #lookup(exchange: string, routingKey: string): Promise<string[]> {
    if (exchange === '') return [routingKey];
    const members = await this.#client.smembers(bindingKey(this.#c.naming, exchange));
    const queues: string[] = [];
    for (const member of members) {
      const b = parseBindingMember(this.#c.naming, member);
      if (!b) continue;
      let matches = b.routingKey === routingKey;
      if (b.pattern !== '') {
        try {
          matches = new RegExp(b.pattern).test(routingKey);
        } catch {
          matches = false;
        }
      }
      if (matches && !queues.includes(b.queue)) queues.push(b.queue);
    }
    return queues.length > 0 ? queues : [routingKey];
  }

  /**
   * kombu's `restore_visible`: under `unacked_mutex` (SET NX PX, released by compare-and-delete), restore every
   * tag whose score is older than the visibility timeout. Returns how many were restored (0 when another
   * process holds the mutex).
   */
  async sweep(now = Date.now()): Promise<number> {
    const token = randomUUID().replace(/-/g, '');
    const got = await this.#client.set(this.#mutex, token, 'PX', this.#c.unackedMutexExpireMs, 'NX');
    if (got !== 'OK') return 0;
    let restored = 0;
    try {
      const ceiling = epochSeconds(now - this.#c.visibilityTimeoutMs);
      const limit = this.#c.unackedRestoreLimit > 0 ? ['LIMIT', 0, this.#c.unackedRestoreLimit] : [];
      const found = (await this.#client.call('ZREVRANGEBYSCORE', this.index, ceiling, 0, 'WITHSCORES', ...limit)) as string[];
      for (let i = 0; i < found.length; i += 2) {
        const tag = found[i];
        if (tag === undefined) continue;
        if (await this.restore(tag, { maxScore: ceiling })) restored++;
      }
    } finally {
      await evalScript(this.#client, RELEASE_MUTEX, [this.#mutex], [token]).catch(() => undefined);
    }
    if (restored > 0) this.#c.logger.info({ restored }, 'restored messages whose visibility timeout expired');
    return restored;
  }
}
