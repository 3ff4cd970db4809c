/**
 * Many subscriptions multiplexed over ONE subscriber connection (Celery's `ResultConsumer` does the same):
 * the first listener of a channel sends SUBSCRIBE and the promise resolves once Redis confirmed it, the last one
 * leaving sends UNSUBSCRIBE. Operations on one channel run in order, so a quick subscribe/unsubscribe/subscribe
 * never ends unsubscribed. After a reconnect every channel is subscribed again and `onResubscribed` runs, so the
 * owner can read what was published while the connection was down. Once closed, subscriptions still being made
 * reject with the error `close()` was given, whether or not their SUBSCRIBE ever completes, and those already made
 * are ended with it (their `onEnd`).
 */
import type { Logger } from '@q/core';
import { LiveSubscriptions, type SubscriptionEnd } from '@q/core/adapter';

/** The few subscriber-connection operations the hub needs (an ioredis client in subscriber mode). */
export interface SubscriberPort {
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Register the handler of every pub/sub message. */
  onMessage(handler: (channel: string, message: string) => void): void;
  /** Register a handler called each time the connection is ready again after it was lost. */
  onReconnect(handler: () => void): void;
}

type Listener = (message: string) => void;

/** See the module comment. */
export class SubscriptionHub {
  readonly #port: SubscriberPort;
  readonly #logger: Logger;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Channels Redis confirmed (or is being asked again after a reconnect). */
  readonly #subscribed = new Set<string>();
  /** Per channel: the tail of its queued subscribe/unsubscribe operations. */
  readonly #queues = new Map<string, Promise<void>>();
  /** The rejects of the subscriptions being made (answered by `close()`). */
  readonly #adding = new Set<(error: unknown) => void>();
  /** The `onEnd`s of the subscriptions made and not removed (answered by `close()`). */
  readonly #live = new LiveSubscriptions();
  #closed: Error | null = null;

  constructor(port: SubscriberPort, logger: Logger, onResubscribed: (channels: string[]) => void = () => {}) {
    this.#port = port;
    this.#logger = logger;
    port.onMessage((channel, message) => this.#dispatch(channel, message));
    port.onReconnect(() => {
      if (this.#closed) return;
      const channels = [...this.#subscribed];
      if (channels.length === 0) return;
      Promise.all(channels.map((c) => this.#port.subscribe(c)))
        .then(() => onResubscribed(channels))
        .catch((err: unknown) => this.#logger.warn({ err, channels: channels.length }, 'redis: resubscribing after reconnect failed'));
    });
  }

  /** Channels with at least one listener. */
  get channels(): string[] {
    return [...this.#listeners.keys()];
  }

  /**
   * Add a listener; resolves once the channel is subscribed. Returns the function that removes it. `onEnd` is
   * called once if the hub closes while the subscription is active (not after it was removed).
   */
  async add(channel: string, listener: Listener, onEnd?: SubscriptionEnd): Promise<() => Promise<void>> {
    if (this.#closed) throw this.#closed;
    // Wrapped, so that adding the same function twice gives two independent subscriptions.
    const own: Listener = (message) => listener(message);
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(own);
    try {
      await this.#unlessClosed(this.#sync(channel));
    } catch (error) {
      this.#forget(channel, own);
      throw error;
    }
    // Closed in the turn the SUBSCRIBE completed: still a subscription being made, it rejects.
    if (this.#closed) throw this.#closed;
    const forgetEnd = this.#live.add((error) => onEnd?.(error));
    let removed = false;
    return async () => {
      if (removed || this.#closed) return;
      removed = true;
      forgetEnd();
      this.#forget(channel, own);
      await this.#sync(channel);
    };
  }

  /**
   * Close the hub (its owner closes the connection, or lost it for good): the subscriptions being made reject with
   * `error` now, later ones too; those already made are ended with it (their `onEnd`, once each); no listener is
   * called any more.
   */
  close(error: Error): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const reject of this.#adding) reject(error);
    this.#adding.clear();
    this.#listeners.clear();
    this.#live.endAll(error, (err) => this.#logger.error({ err }, 'redis: ending a result subscription threw'));
  }

  /**
   * `op`, or the error of `close()` if the hub closes first. (A set of rejects, not a race against one "closed"
   * promise: that would keep a reaction per subscription made until the hub closes.)
   */
  #unlessClosed(op: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#adding.add(reject);
      op.then(resolve, reject).finally(() => this.#adding.delete(reject));
    });
  }

  /** Listeners of `channel` receive `message` (also used to replay values read after a reconnect). */
  deliver(channel: string, message: string): void {
    this.#dispatch(channel, message);
  }

  #forget(channel: string, listener: Listener): void {
    const set = this.#listeners.get(channel);
    set?.delete(listener);
    if (set && set.size === 0) this.#listeners.delete(channel);
  }

  /** Queue an operation that makes the subscription of `channel` match whether it has listeners. */
  #sync(channel: string): Promise<void> {
    const previous = this.#queues.get(channel) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        const wanted = this.#listeners.has(channel);
        if (wanted && !this.#subscribed.has(channel)) {
          await this.#port.subscribe(channel);
          this.#subscribed.add(channel);
        } else if (!wanted && this.#subscribed.has(channel)) {
          this.#subscribed.delete(channel);
          await this.#port.unsubscribe(channel);
        }
      });
    this.#queues.set(channel, next);
    void next.then(
      () => this.#settle(channel, next),
      () => this.#settle(channel, next),
    );
    return next;
  }

  #settle(channel: string, op: Promise<void>): void {
    if (this.#queues.get(channel) === op) this.#queues.delete(channel);
  }

  #dispatch(channel: string, message: string): void {
    const set = this.#listeners.get(channel);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (err) {
        this.#logger.error({ err, channel }, 'redis: a result listener threw');
      }
    }
  }
}
