/**
 * Publishing on one channel, in confirm mode by default: `publish` resolves once the broker confirmed the message
 * (`basic.ack`), so a resolved publish is on the broker. Publishes do not wait for each other: many can be
 * outstanding, each awaits its own confirm. When the channel's write buffer is full, later publishes wait for it
 * to drain. While the channel is open and takes writes, a publish is handed to it at once, in the caller's turn.
 *
 * While the connection is down a publish waits for the reconnect (at most `publishWaitMs`), then fails with a
 * retryable `Q_ERR_CONNECTION_LOST` (the producer retries per `task.publishRetryPolicy`). A publish whose channel
 * or connection died before its confirm also fails retryable: it may or may not have reached the broker, so a
 * retry can deliver it twice (at-least-once, as with Celery).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Channel, ConfirmChannel, Options } from 'amqplib';
import type { Logger } from '@q/core';
import type { Message, PublishTarget } from '@q/core/adapter';
import { QError } from '@q/core';
import { REPLY_CODES, isClosedError, replyCode, toQError } from './amqp-errors.js';
import { backoff, type AmqpConnection } from './connection.js';
import { bodyBuffer, publishOptions } from './message-mapping.js';

/** What a publisher needs from its transport. */
export interface PublisherHost {
  readonly conn: AmqpConnection;
  readonly logger: Logger;
  readonly confirm: boolean;
  readonly waitMs: number;
}

/** The publishing side of a transport. */
export class Publisher {
  readonly #host: PublisherHost;
  #channel: Channel | ConfirmChannel | null = null;
  #opening: Promise<Channel | ConfirmChannel> | null = null;
  #drain: Promise<void> | null = null;
  /** Why the current channel was closed by the broker (reported to the publishes it failed). */
  readonly #closeReasons = new WeakMap<Channel, Error>();
  readonly #pending = new Set<Promise<unknown>>();
  /** Publishes waiting for a channel or for the write buffer to drain (later ones queue behind them, in order). */
  #queued = 0;

  constructor(host: PublisherHost) {
    this.#host = host;
  }

  /** Publishes `message`; resolves when the broker confirmed it (or, without confirms, once it is written). */
  publish(message: Message, target: PublishTarget): Promise<void> {
    const ch = this.#channel;
    if (ch !== null && this.#drain === null && this.#queued === 0) {
      // The hot path: the channel is open and takes writes and no earlier publish waits, so this one is handed over now.
      try {
        return this.#track(this.#send(ch, target, bodyBuffer(message.body), publishOptions(message)));
      } catch (err) {
        if (!isClosedError(err)) return Promise.reject(toQError(err, operation(target), this.#host.conn.where));
        // Closed under us: the general path waits for a new channel.
        if (this.#channel === ch) this.#channel = null;
      }
    }
    return this.#track(this.#publish(message, target));
  }

  /** Keeps `publishing` in the set `close()` waits for until it settles. */
  #track(publishing: Promise<void>): Promise<void> {
    this.#pending.add(publishing);
    const done = (): void => void this.#pending.delete(publishing);
    publishing.then(done, done);
    return publishing;
  }

  async #publish(message: Message, target: PublishTarget): Promise<void> {
    const { conn, waitMs } = this.#host;
    const content = bodyBuffer(message.body);
    const options = publishOptions(message);
    // Until the message is handed to a channel nothing was sent: a channel or connection lost meanwhile is waited
    // out (until `waitMs` after the publish began) and the message goes out on the next connection.
    const deadline = Date.now() + waitMs;
    let confirmed: Promise<void> | null = null;
    this.#queued++;
    try {
      for (let attempt = 0; confirmed === null; attempt++) {
        let ch: Channel | ConfirmChannel | null = null;
        try {
          ch = await this.#open(Math.max(0, deadline - Date.now()));
          while (this.#drain) await this.#drain;
          confirmed = this.#send(ch, target, content, options);
        } catch (err) {
          if (ch && this.#channel === ch) this.#channel = null;
          if (!isClosedError(err) || Date.now() >= deadline || conn.state === 'closed') throw toQError(err, operation(target), conn.where);
          await delay(Math.min(backoff(10, 500, attempt), Math.max(0, deadline - Date.now())));
        }
      }
    } finally {
      this.#queued--;
    }
    await confirmed;
  }

  /** Hands the message to `ch` (throws if it cannot); the promise settles with the broker's confirm. */
  #send(ch: Channel | ConfirmChannel, target: PublishTarget, content: Buffer, options: Options.Publish): Promise<void> {
    if (!this.#host.confirm) {
      if (!ch.publish(target.exchange, target.routingKey, content, options)) this.#waitDrain(ch);
      return Promise.resolve();
    }
    let settle: (err: unknown) => void = () => undefined;
    const confirmed = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === null || err === undefined ? resolve() : reject(this.#publishError(ch, err, operation(target))));
    });
    if (!(ch as ConfirmChannel).publish(target.exchange, target.routingKey, content, options, (err: unknown) => settle(err))) this.#waitDrain(ch);
    return confirmed;
  }

  /** Waits (at most `timeoutMs`) for publishes under way and their confirms, then closes the channel. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#pending.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const outcome = await Promise.race([Promise.allSettled([...this.#pending]).then(() => 'done' as const), timeout]);
      if (timer) clearTimeout(timer);
      if (outcome === 'timeout') this.#host.logger.warn({ pending: this.#pending.size }, `closing with ${this.#pending.size} publishes not confirmed`);
    }
    const ch = this.#channel;
    this.#channel = null;
    if (ch) await ch.close().catch(() => undefined);
  }

  #publishError(ch: Channel, err: unknown, op: string): Error {
    const where = this.#host.conn.where;
    const reason = this.#closeReasons.get(ch);
    if (reason && replyCode(reason) !== null && replyCode(reason) !== 320) {
      const code = replyCode(reason) ?? 0;
      return new QError('Q_ERR_BROKER_REFUSED', `AMQP ${op} failed: the broker closed the publishing channel (${code} ${REPLY_CODES[code] ?? ''}): ${reason.message}`, {
        cause: reason,
        retryable: true,
      });
    }
    if (err instanceof Error && /nacked/i.test(err.message)) {
      return new QError('Q_ERR_BROKER_REFUSED', `AMQP ${op}: the broker could not take the message (basic.nack)`, { cause: err, retryable: true });
    }
    return toQError(err, op, where);
  }

  #open(waitMs: number): Promise<Channel | ConfirmChannel> {
    if (this.#channel) return Promise.resolve(this.#channel);
    this.#opening ??= (async () => {
      const model = await this.#host.conn.ready(waitMs);
      const ch = this.#host.confirm ? await model.createConfirmChannel() : await model.createChannel();
      ch.on('error', (err: Error) => {
        this.#closeReasons.set(ch, err);
        this.#host.logger.warn({ err: err.message }, `the broker closed the publishing channel: ${err.message}`);
      });
      ch.on('close', () => {
        if (this.#channel === ch) this.#channel = null;
      });
      this.#channel = ch;
      return ch;
    })().finally(() => (this.#opening = null));
    return this.#opening;
  }

  #waitDrain(ch: Channel): void {
    this.#drain ??= new Promise<void>((resolve) => {
      const done = (): void => {
        ch.off('drain', done);
        ch.off('close', done);
        this.#drain = null;
        resolve();
      };
      ch.on('drain', done);
      ch.on('close', done);
    });
  }
}

/** What a publish to `target` is called in errors. */
function operation(target: PublishTarget): string {
  return `publish to "${target.exchange}" (${target.routingKey})`;
}
