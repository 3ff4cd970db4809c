/**
 * Fanout over Redis pub/sub: one subscriber connection per driver, PSUBSCRIBE per pattern (reference-counted),
 * messages dispatched to the handlers of the pattern they matched. ioredis re-subscribes after a reconnect.
 */
import type { Redis } from 'ioredis';
import { closeClient } from '@q/redis-client';

export class FanoutHub {
  readonly #make: () => Redis;
  readonly #handlers = new Map<string, Set<(payload: string) => void>>();
  #client: Redis | null = null;

  constructor(make: () => Redis) {
    this.#make = make;
  }

  #connection(): Redis {
    if (this.#client) return this.#client;
    const client = this.#make();
    client.on('error', () => undefined);
    client.on('pmessage', (pattern: string, _channel: string, message: string) => {
      for (const handler of this.#handlers.get(pattern) ?? []) handler(message);
    });
    this.#client = client;
    return client;
  }

  /** Subscribe `handler` to `pattern`; returns the unsubscribe function. */
  async subscribe(pattern: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    const client = this.#connection();
    let set = this.#handlers.get(pattern);
    const fresh = !set;
    if (!set) this.#handlers.set(pattern, (set = new Set()));
    const own = (payload: string): void => handler(payload);
    set.add(own);
    if (fresh) await client.psubscribe(pattern);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const current = this.#handlers.get(pattern);
      current?.delete(own);
      if (current && current.size === 0) {
        this.#handlers.delete(pattern);
        if (this.#client) await this.#client.punsubscribe(pattern);
      }
    };
  }

  /** QUIT the subscriber connection, or drop it at once while it is still being made (a PSUBSCRIBE waiting fails). */
  async close(): Promise<void> {
    this.#handlers.clear();
    const client = this.#client;
    this.#client = null;
    if (client) await closeClient(client);
  }
}
