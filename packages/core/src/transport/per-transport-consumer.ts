/**
 * A consumer that must exist once per transport: a client's reply queue (rpc results, remote-control replies) is
 * consumed on the app's current transport, once; when the app has replaced its transport (closed and connected
 * again), the next `ensure` consumes on the new one and cancels the old consumer quietly (its connection is usually
 * gone). Concurrent callers share one start; a start that fails is forgotten, so the next call tries again.
 */
import type { Logger } from '../contracts/logger.js';
import type { Consumer, Transport } from '../contracts/transport.js';

/** Keeps one consumer on the current transport; see the module comment. */
export class PerTransportConsumer {
  readonly #what: string;
  readonly #log: () => Logger;
  #current: { transport: Transport; consumer: Promise<Consumer> } | null = null;

  /** `what` names the consumer in debug lines (`rpc reply consumer`); `log` gives the logger at the time of use. */
  constructor(what: string, log: () => Logger) {
    this.#what = what;
    this.#log = log;
  }

  /**
   * Resolves once a consumer started by `start(transport)` runs on `transport`: the one already there, or a new one
   * (an old consumer on another transport is cancelled). Rejects, and forgets the attempt, when `start` fails.
   */
  async ensure(transport: Transport, start: (transport: Transport) => Promise<Consumer>): Promise<void> {
    const current = this.#current;
    if (current && current.transport === transport) {
      await current.consumer;
      return;
    }
    if (current) void this.#cancel(current.consumer);
    const entry = { transport, consumer: start(transport) };
    this.#current = entry;
    try {
      await entry.consumer;
    } catch (err) {
      if (this.#current === entry) this.#current = null;
      throw err;
    }
  }

  /** Cancels the consumer, if any (quietly: a failure is logged at debug). */
  async close(): Promise<void> {
    const current = this.#current;
    this.#current = null;
    if (current) await this.#cancel(current.consumer);
  }

  async #cancel(consumer: Promise<Consumer>): Promise<void> {
    try {
      await (await consumer).cancel();
    } catch (err) {
      this.#log().debug({ err }, `${this.#what}: cancel failed (the connection is probably closed)`);
    }
  }
}
