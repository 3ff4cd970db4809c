/**
 * kombu's Redis transport as a q {@link QueueDriver}: the same lists, priority sub-lists, binding sets, fanout
 * channels and ack bookkeeping (`unacked`, `unacked_index`, `unacked_mutex`) as Python Celery, so Python and
 * q workers can share queues. Faster than kombu on the same wire:
 *
 * - `reserve` pops up to `max` messages AND writes their ack bookkeeping in one Lua script (one round trip);
 * - only when nothing is there does it wait on a dedicated connection: by default a non-destructive BLMOVE with
 *   the pop script queued right behind it (Redis runs it the moment the wait ends: one round trip); in `brpop`
 *   mode a BRPOP, whose message the same script then records (and pops more) on that connection right away;
 * - acks, lease renewals and publishes issued in one turn of the event loop go out together; acks and renewals
 *   on a connection of their own, so they never queue behind a reserve.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueDriver } from '@q/core';
import type { Lease, PutOptions, QueueDriverCapabilities, ReserveOptions, StoredBinding } from '@q/core/adapter';
import { ConnectionError } from '@q/core';
import { markRedelivered } from '@q/core/adapter';
import { TickBatcher, clientOptions, closeClient, connectClients, maskRedisUrl, newRedisClient } from '@q/redis-client';
import { BlockingPool, type Blocker } from './blocking-pool.js';
import { FanoutHub } from './fanout-hub.js';
import { bindingKey, bindingMember, fanoutChannel, fanoutPattern, parseBindingMember, queueListKeys, queueListName, reserveKeys } from './keys.js';
import { resolveRedisOptions, type RedisQueueDriverOptions, type ResolvedRedisOptions } from './options.js';
import { connectError, guarded, toQError } from './redis-errors.js';
import { RESERVE, evalScript } from './scripts.js';
import { UnackedStore, epochSeconds } from './unacked-store.js';

/** What the Redis driver supports (data, checked by `@q/conformance`). */
export const REDIS_DRIVER_CAPABILITIES: QueueDriverCapabilities = Object.freeze({
  priorities: 'steps',
  nativeDelay: false,
  fanout: true,
  blockingReserve: true,
  persistentBindings: true,
});

const DONE: Promise<void> = Promise.resolve();

/** How long Redis keeps a reserve reply for a re-send after a dropped connection. */
const RESERVE_MEMO_MS = 5_000;
/** A single BRPOP waits at most this long (kombu uses 1 s), so state is re-checked often. */
const MAX_BLOCK_MS = 1000;

function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => undefined, () => undefined), limit]).finally(() => clearTimeout(timer));
}

interface PutItem {
  key: string;
  payload: string;
}

/** Create a Redis queue driver (unconnected). */
export function redisQueueDriver(options: RedisQueueDriverOptions | string = {}): RedisQueueDriver {
  return new RedisQueueDriver(resolveRedisOptions(options));
}

/** The Redis queue driver. Use {@link redisQueueDriver} or `redisTransport()`. */
export class RedisQueueDriver implements QueueDriver {
  readonly capabilities = REDIS_DRIVER_CAPABILITIES;
  readonly options: ResolvedRedisOptions;
  readonly #cmd: Redis;
  /** Acks and lease renewals only (so an ack never waits behind a reserve on `#cmd`). */
  readonly #settler: Redis;
  readonly #unacked: UnackedStore;
  readonly #blockers: BlockingPool;
  readonly #fanout: FanoutHub;
  readonly #puts: TickBatcher<PutItem>;
  /** Leases handed out and not yet acked or released, by tag. */
  readonly #held = new Map<string, Lease>();
  readonly #reserving = new Set<Promise<unknown>>();
  readonly #where: string;
  #floatTimeouts = true;
  #canPeek = true;
  #sweepTimer: ReturnType<typeof setInterval> | null = null;
  #sweeping: Promise<unknown> | null = null;
  #closed = false;
  /** `close()` gave up on Redis: operations fail at once. */
  #abandoned = false;
  /** The rejecters of the operations under way (each removed as it settles, so nothing is kept longer). */
  readonly #pending = new Set<(err: unknown) => void>();

  constructor(options: ResolvedRedisOptions) {
    this.options = options;
    this.#where = maskRedisUrl(options.url);
    const base = options.clientName;
    this.#cmd = newRedisClient(clientOptions(options.parsed, 'command', { clientName: `${base}:cmd` }));
    this.#cmd.on('error', (err: unknown) => options.logger.debug({ err }, 'redis command connection error'));
    this.#settler = newRedisClient(clientOptions(options.parsed, 'command', { clientName: `${base}:ack` }));
    this.#settler.on('error', (err: unknown) => options.logger.debug({ err }, 'redis ack connection error'));
    this.#unacked = new UnackedStore(this.#cmd, options, this.#settler, (err, op) => toQError(err, op, this.#where));
    this.#blockers = new BlockingPool((n) => clientOptions(options.parsed, 'blocking', { clientName: `${base}:block:${n}` }));
    this.#fanout = new FanoutHub(() => newRedisClient(clientOptions(options.parsed, 'subscriber', { clientName: `${base}:sub` })));
    this.#puts = new TickBatcher((items) => this.#flushPuts(items));
  }

  /**
   * Runs a Redis operation with q's error mapping; once the driver is closed, an operation still waiting for
   * an unreachable Redis fails at once instead of waiting forever. (Not a race against one "closed" promise:
   * that would keep every operation's result reachable from it until the driver closes.)
   */
  #guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#abandoned) return Promise.reject(this.#closedError());
    const pending = this.#pending;
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      guarded(op, this.#where, fn).then(
        (value) => {
          pending.delete(reject);
          resolve(value);
        },
        (err: unknown) => {
          pending.delete(reject);
          reject(err);
        },
      );
    });
  }

  #closedError(): ConnectionError {
    return new ConnectionError('Q_ERR_CONNECTION_LOST', `${this.describe()} is closed`, { retryable: true });
  }

  describe(): string {
    return `redis transport ${this.#where}`;
  }

  /**
   * One real attempt (see `connectClients`): a failure leaves both connections stopped, not reconnecting in the
   * background, so the app's start-up retry (`connectionMaxRetries`) calls this again for a fresh attempt.
   */
  async connect(): Promise<void> {
    try {
      await connectClients([this.#cmd, this.#settler], async () => {
        const info = await this.#cmd.info('server');
        const [major = 6, minor = 0] = (/redis_version:(\d+)\.(\d+)/.exec(info) ?? []).slice(1).map(Number);
        this.#floatTimeouts = major >= 6;
        this.#canPeek = major > 6 || (major === 6 && minor >= 2);
      });
    } catch (error) {
      throw connectError(error, this.#where);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    for (const b of this.#blockers.busy()) this.#unblock(b);
    // With Redis unreachable nothing below can finish: wait a bounded time, then drop the connections (held
    // messages then stay in `unacked` and come back after the visibility timeout; nothing is lost).
    await settleWithin(Promise.allSettled([...this.#reserving]), this.options.closeTimeoutMs / 2);
    await this.#blockers.close();
    await settleWithin(
      (async () => {
        await this.#puts.drain();
        await this.#unacked.drain();
        const held = [...this.#held.values()];
        if (held.length > 0) this.options.logger.info({ count: held.length }, 'requeueing unacknowledged messages');
        await Promise.all(held.map((l) => this.release(l).catch((err: unknown) => this.options.logger.error({ err, deliveryTag: l.tag }, 'requeue failed'))));
        await this.#sweeping;
      })(),
      this.options.closeTimeoutMs / 2,
    );
    this.#abandoned = true;
    const closed = this.#closedError();
    for (const reject of this.#pending) reject(closed);
    this.#pending.clear();
    this.#unacked.abandon(closed);
    await this.#fanout.close();
    // QUIT (what was sent is answered first); a connection still being made is dropped at once (see closeClient).
    await Promise.all([closeClient(this.#cmd), closeClient(this.#settler)]);
  }

  put(queue: string, payload: string, options: PutOptions): Promise<void> {
    const { prefix, sep } = this.options.naming;
    return this.#guard('LPUSH', () => this.#puts.add({ key: prefix + queueListName(queue, options.priority, sep), payload }));
  }

  /** One LPUSH per list with all of its payloads, in put order (so RPOP still serves them FIFO). */
  async #flushPuts(items: readonly PutItem[]): Promise<unknown[]> {
    const byKey = new Map<string, string[]>();
    for (const { key, payload } of items) {
      const list = byKey.get(key);
      if (list) list.push(payload);
      else byKey.set(key, [payload]);
    }
    const outcome = new Map<string, unknown>();
    await Promise.all(
      [...byKey].map(([key, payloads]) =>
        this.#cmd.lpush(key, ...payloads).then(
          () => outcome.set(key, undefined),
          (err: unknown) => outcome.set(key, err),
        ),
      ),
    );
    return items.map((i) => outcome.get(i.key));
  }

  reserve(queues: readonly string[], options: ReserveOptions): Promise<Lease[]> {
    const run = this.#reserve(queues, options);
    this.#reserving.add(run);
    void run.finally(() => this.#reserving.delete(run)).catch(() => undefined);
    return run;
  }

  async #reserve(queues: readonly string[], options: ReserveOptions): Promise<Lease[]> {
    if (this.#closed || queues.length === 0) return [];
    this.#startSweeping();
    const { keys, queueOf } = reserveKeys(this.options.naming, queues);
    const max = Math.max(1, Math.trunc(options.max));
    const first = await this.#guard('reserve', () => this.#pop(this.#cmd, keys, queueOf, max, null));
    if (first.length > 0 || options.waitMs <= 0) return first;
    const deadline = Date.now() + options.waitMs;
    const blocker = this.#blockers.acquire();
    const peek = this.options.blockingMode === 'peek' && this.#canPeek;
    try {
      while (!this.#closed && !options.signal?.aborted) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        if (peek) {
          // Wait on the first list without taking anything; the pop (recording atomically in Lua) is sent right
          // behind the wait on the same connection, so Redis runs it the moment the wait ends and both replies
          // come back in one round trip. The other lists are looked at by that pop after each wait of at most
          // `peekIntervalMs`. What it pops is returned even when the wait was cut short (the caller releases it).
          const woke = this.#guard('BLMOVE', () =>
            blocker.peek(keys[0] ?? '', Math.min(this.options.peekIntervalMs, remaining), options.signal, () => this.#unblock(blocker)),
          );
          const popping = this.#guard('reserve', () => this.#pop(blocker.client, keys, queueOf, max, null, true));
          const [waited, popped] = await Promise.allSettled([woke, popping]);
          if (popped.status === 'fulfilled' && popped.value.length > 0) return popped.value;
          if (waited.status === 'rejected') throw waited.reason;
          if (popped.status === 'rejected') throw popped.reason;
          continue;
        }
        const popped = await this.#guard('BRPOP', () =>
          blocker.brpop(keys, Math.min(MAX_BLOCK_MS, remaining), this.#floatTimeouts, options.signal, () => this.#unblock(blocker)),
        );
        // Record the popped message on the connection that just delivered it, without waiting a tick.
        if (popped) return await this.#guard('reserve', () => this.#pop(blocker.client, keys, queueOf, max, popped));
      }
      return [];
    } finally {
      this.#blockers.release(blocker);
    }
  }

  /**
   * Run the reserve script: record `popped` (from BRPOP) if any, pop up to `max` in all. `serverTime`: score the
   * leases with Redis's clock at the pop (for a pop queued behind a wait, when now is not yet known).
   */
  async #pop(client: Redis, keys: string[], queueOf: string[], max: number, popped: [string, string] | null, serverTime = false): Promise<Lease[]> {
    const memo = `${this.options.naming.prefix}_q.reserve.${randomUUID()}`;
    const poppedIndex = popped ? keys.indexOf(popped[0]) + 1 : 0;
    const args = [max, serverTime ? '' : epochSeconds(), this.options.ackEmulation ? '1' : '0', RESERVE_MEMO_MS, popped ? popped[1] : '', poppedIndex];
    const out = (await evalScript(client, RESERVE, [this.#unacked.unacked, this.#unacked.index, memo, ...keys], args)) as (string | number)[];
    const leases: Lease[] = [];
    for (let i = 0; i + 2 < out.length; i += 3) {
      const queue = queueOf[Number(out[i]) - 1] ?? queueOf[0] ?? '';
      const lease: Lease = { queue, payload: String(out[i + 1]), tag: String(out[i + 2]) };
      if (lease.tag !== '' && this.options.ackEmulation) this.#held.set(lease.tag, lease);
      leases.push(lease);
    }
    return leases;
  }

  #unblock(blocker: Blocker): void {
    if (blocker.id !== null) this.#cmd.call('CLIENT', 'UNBLOCK', blocker.id).catch(() => undefined);
  }

  /**
   * Acks of one turn go out as one script call. Not through `#guard` (one ack per task is the hot path): the store
   * maps a failed batch's error, and `close()` fails the acks still waiting when it gives up on Redis.
   */
  ack(lease: Lease): Promise<void> {
    this.#held.delete(lease.tag);
    if (!this.options.ackEmulation || lease.tag === '') return DONE;
    if (this.#abandoned) return Promise.reject(this.#closedError());
    return this.#unacked.ack(lease.tag);
  }

  async release(lease: Lease): Promise<void> {
    this.#held.delete(lease.tag);
    await this.#guard('restore', async () => {
      if (this.options.ackEmulation && lease.tag !== '') {
        await this.#unacked.restore(lease.tag, { queue: lease.queue });
        return;
      }
      const priority = (JSON.parse(lease.payload) as { properties?: { priority?: number } }).properties?.priority;
      const { prefix, sep } = this.options.naming;
      await this.#cmd.rpush(prefix + queueListName(lease.queue, priority, sep), markRedelivered(lease.payload));
    });
  }

  async extendLease(lease: Lease): Promise<void> {
    if (!this.options.ackEmulation || lease.tag === '') return;
    await this.#guard('extend', () => this.#unacked.extend(lease.tag));
  }

  async purge(queue: string): Promise<number> {
    const keys = queueListKeys(this.options.naming, queue);
    return this.#guard('purge', async () => {
      const sizes = await Promise.all(keys.map((k) => this.#cmd.llen(k)));
      await this.#cmd.del(...keys);
      return sizes.reduce((a, b) => a + b, 0);
    });
  }

  async size(queue: string): Promise<number> {
    const keys = queueListKeys(this.options.naming, queue);
    return this.#guard('size', async () => (await Promise.all(keys.map((k) => this.#cmd.llen(k)))).reduce((a, b) => a + b, 0));
  }

  async bind(exchange: string, binding: StoredBinding): Promise<void> {
    await this.#guard('SADD', () => this.#cmd.sadd(bindingKey(this.options.naming, exchange), bindingMember(this.options.naming, binding)));
  }

  async bindings(exchange: string): Promise<StoredBinding[]> {
    const members = await this.#guard('SMEMBERS', () => this.#cmd.smembers(bindingKey(this.options.naming, exchange)));
    return members.map((m) => parseBindingMember(this.options.naming, m)).filter((b): b is StoredBinding => b !== null);
  }

  async fanoutPublish(exchange: string, routingKey: string, payload: string): Promise<void> {
    await this.#guard('PUBLISH', () => this.#cmd.publish(fanoutChannel(this.options.naming, exchange, routingKey), payload));
  }

  async subscribe(exchange: string, pattern: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    return this.#guard('PSUBSCRIBE', () => this.#fanout.subscribe(fanoutPattern(this.options.naming, exchange, pattern), onPayload));
  }

  /** Run the visibility sweep now (also runs when consuming starts and then every `sweepIntervalMs`). */
  sweep(): Promise<number> {
    if (!this.options.ackEmulation || this.#closed) return Promise.resolve(0);
    const run = this.#unacked.sweep();
    this.#sweeping = run.catch((err: unknown) => this.options.logger.warn({ err }, 'visibility sweep failed'));
    return run;
  }

  #startSweeping(): void {
    if (this.#sweepTimer || !this.options.ackEmulation) return;
    void this.sweep().catch(() => undefined);
    this.#sweepTimer = setInterval(() => {
      if (this.#cmd.status === 'ready') void this.sweep().catch(() => undefined);
    }, this.options.sweepIntervalMs);
    this.#sweepTimer.unref?.();
  }
}
