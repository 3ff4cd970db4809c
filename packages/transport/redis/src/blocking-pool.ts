/**
 * Dedicated connections for BRPOP, one per concurrent waiting `reserve` (a blocked connection cannot serve
 * anyone else). A wait is cut short with `CLIENT UNBLOCK <id>` from the command connection: Redis then answers
 * the BRPOP as a timeout, so no message can be popped and dropped by the abort.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { newRedisClient, stopClient } from '@q/redis-client';

/** One blocking connection. */
export class Blocker {
  readonly client: Redis;
  /** CLIENT ID of the current connection (refreshed on every reconnect). */
  #id: number | null = null;
  #busy = false;

  constructor(options: RedisOptions) {
    this.client = newRedisClient(options);
    this.client.on('error', () => undefined);
    this.client.on('close', () => (this.#id = null));
  }

  get id(): number | null {
    return this.#id;
  }

  get busy(): boolean {
    return this.#busy;
  }

  set busy(value: boolean) {
    this.#busy = value;
  }

  /**
   * Wait up to `timeoutMs` until `key` has an element WITHOUT taking it: `BLMOVE key key RIGHT RIGHT` moves the
   * last element to the end of the same list, a no-op that blocks like BRPOP. Nothing leaves Redis, so a dropped
   * connection or a dead process can lose nothing. Resolves to whether an element is there.
   */
  async peek(key: string, timeoutMs: number, signal: AbortSignal | undefined, unblock: (id: number) => void): Promise<boolean> {
    const seconds = Math.max(0.01, timeoutMs / 1000);
    const onAbort = (): void => {
      if (this.#id !== null) unblock(this.#id);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) return false;
      const id = this.#identify(signal, onAbort);
      const seen = await this.client.call('BLMOVE', key, key, 'RIGHT', 'RIGHT', seconds);
      if (id) await id;
      return seen !== null;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Learn the connection's CLIENT ID once per connection (`close` forgets it). It goes out in the same write as
   * the blocking command (writes are coalesced per turn) and answers at once. `null` when it is known already.
   * A wait that ioredis re-sends after a reconnect has no ID until the next wait: an abort then ends it at its
   * timeout (at most a second) instead of at once.
   */
  #identify(signal: AbortSignal | undefined, onAbort: () => void): Promise<void> | null {
    if (this.#id !== null) return null;
    return this.client.client('ID').then(
      (n) => {
        this.#id = Number(n);
        if (signal?.aborted) onAbort();
      },
      () => undefined,
    );
  }

  /**
   * BRPOP the keys for up to `timeoutMs`; `unblock` is called when `signal` aborts. Resolves to the popped
   * `[key, payload]` or `null`.
   */
  async brpop(keys: readonly string[], timeoutMs: number, floatTimeouts: boolean, signal: AbortSignal | undefined, unblock: (id: number) => void): Promise<[string, string] | null> {
    const seconds = floatTimeouts ? Math.max(0.01, timeoutMs / 1000) : Math.max(1, Math.ceil(timeoutMs / 1000));
    const onAbort = (): void => {
      if (this.#id !== null) unblock(this.#id);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) return null;
      const id = this.#identify(signal, onAbort);
      const popped = (await this.client.brpop(...keys, seconds)) as [string, string] | null;
      if (id) await id;
      return popped;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** A pool of {@link Blocker}s, created on demand. */
export class BlockingPool {
  readonly #make: (n: number) => RedisOptions;
  readonly #all: Blocker[] = [];

  constructor(make: (n: number) => RedisOptions) {
    this.#make = make;
  }

  /** A free blocker (a new connection when all are busy). */
  acquire(): Blocker {
    let blocker = this.#all.find((b) => !b.busy);
    if (!blocker) {
      blocker = new Blocker(this.#make(this.#all.length + 1));
      this.#all.push(blocker);
    }
    blocker.busy = true;
    return blocker;
  }

  release(blocker: Blocker): void {
    blocker.busy = false;
  }

  /** Blockers currently waiting. */
  busy(): Blocker[] {
    return this.#all.filter((b) => b.busy);
  }

  /**
   * Stop every connection at once, also one still being made (a pending wait fails; nothing is taken by a wait
   * that did not answer). Resolves once they are closed.
   */
  async close(): Promise<void> {
    await Promise.all(this.#all.splice(0).map((b) => stopClient(b.client)));
  }
}
