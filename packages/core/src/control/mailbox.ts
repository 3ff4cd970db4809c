/**
 * The client side of the pidbox (kombu's `Mailbox._broadcast`): a request is published to the fanout exchange
 * `celery.pidbox` (routing key `""`, headers `{clock, expires}`), and when replies are wanted it carries a fresh
 * ticket and `reply_to`, and the replies with that ticket are collected from the client's reply queue until
 * `timeout` seconds have passed or `limit` replies came. The reply queue is declared, bound and consumed before
 * the request leaves, so no reply can be routed nowhere.
 */
import type { Logger } from '../contracts/logger.js';
import type { Transport } from '../contracts/transport.js';
import { ConfigError } from '../errors/q-error.js';
import { uuid } from '../protocol/ids.js';
import { controlExchange, type BroadcastTopologyOptions } from '../routing/broadcast-topology.js';
import type { BroadcastOptions, NodeReply } from './control-options.js';
import type { LamportClock } from './lamport-clock.js';
import { encodeControlRequest, type ControlReply, type ControlRequest } from './pidbox-message.js';
import { ReplyConsumer } from './reply-consumer.js';

/** What the mailbox needs from the app. */
export interface MailboxHost {
  /** The client's oid (reply routing key). */
  readonly oid: string;
  readonly log: Logger;
  /** Stamps each request (`clock` header); replies move it forward. */
  readonly clock: LamportClock;
  /** Celery's `control_exchange`, `control_queue_expires`, `control_queue_ttl` (seconds). */
  readonly conf: { readonly control: { readonly exchange: string; readonly queueExpires: number; readonly queueTtl: number } };
  /** The app's connected transport. */
  getTransport(): Promise<Transport>;
}

/** Celery's default reply timeout, seconds. */
export const DEFAULT_CONTROL_TIMEOUT = 1;

/** Sends remote-control requests and collects their replies. */
export class Mailbox {
  readonly #host: MailboxHost;
  readonly #topology: BroadcastTopologyOptions;
  readonly #replies: ReplyConsumer;
  /** Transports the request exchange was declared on. */
  readonly #declared = new WeakMap<Transport, Promise<void>>();
  /** Ends the collections under way (`close()`). */
  readonly #collecting = new Set<() => void>();

  constructor(host: MailboxHost) {
    this.#host = host;
    const { exchange, queueExpires, queueTtl } = host.conf.control;
    this.#topology = { controlExchange: exchange, controlQueueExpires: queueExpires, controlQueueTtl: queueTtl };
    this.#replies = new ReplyConsumer(host, this.#topology);
  }

  /**
   * Sends `command` to the nodes `options` names and, with `reply`, collects their replies (`[{node: value}, …]`,
   * in arrival order); without, resolves `[]` once the request is published.
   * @throws ConfigError `Q_ERR_CAPABILITY_UNSUPPORTED` when the transport has no fanout; the transport's errors; what
   *   `callback` throws.
   */
  async broadcast<T = unknown>(command: string, options: BroadcastOptions = {}): Promise<NodeReply<T>[]> {
    const timeout = options.timeout ?? DEFAULT_CONTROL_TIMEOUT;
    const destination = destinationList(options.destination);
    const request: ControlRequest = {
      method: command,
      arguments: { ...(options.arguments ?? {}) },
      destination,
      // A Python worker applies a pattern only when a matcher comes with it (and glob is what q's worker assumes).
      pattern: options.pattern ?? null,
      matcher: options.pattern === undefined ? null : (options.matcher ?? 'glob'),
    };
    const transport = await this.#host.getTransport();
    if (!transport.capabilities.fanout) {
      throw new ConfigError('Q_ERR_CAPABILITY_UNSUPPORTED', `${transport.describe()} does not support the "fanout" capability, which remote control needs`);
    }
    await this.#declareExchange(transport);
    if (options.reply !== true) {
      await this.#publish(transport, request, timeout);
      return [];
    }
    await this.#replies.ready(transport);
    const ticket = uuid();
    request.ticket = ticket;
    request.replyTo = this.#replies.replyTo;
    const limit = options.limit ?? (destination === null ? undefined : destination.length);
    return this.#collect<T>(ticket, { timeout, limit, callback: options.callback }, () => this.#publish(transport, request, timeout));
  }

  /** Stops consuming replies; collections under way resolve with what they received. */
  async close(): Promise<void> {
    for (const end of [...this.#collecting]) end();
    await this.#replies.close();
  }

  #declareExchange(transport: Transport): Promise<void> {
    let declared = this.#declared.get(transport);
    if (!declared) {
      declared = transport.declareExchange(controlExchange(this.#topology));
      declared.catch(() => this.#declared.delete(transport));
      this.#declared.set(transport, declared);
    }
    return declared;
  }

  async #publish(transport: Transport, request: ControlRequest, timeout: number): Promise<void> {
    const headers = timeout > 0 ? { clock: this.#host.clock.forward(), expiresAt: Date.now() + timeout * 1000 } : { clock: this.#host.clock.forward() };
    const message = encodeControlRequest(request, headers);
    await transport.publish(message, { exchange: controlExchange(this.#topology).name, routingKey: '', exchangeType: 'fanout' });
  }

  /** Listens for `ticket`, runs `send`, and resolves after `timeout` seconds or `limit` replies. */
  #collect<T>(
    ticket: string,
    bounds: { timeout: number; limit: number | undefined; callback: BroadcastOptions['callback'] },
    send: () => Promise<void>,
  ): Promise<NodeReply<T>[]> {
    const replies: NodeReply<T>[] = [];
    const { limit, callback } = bounds;
    return new Promise<NodeReply<T>[]>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: unknown): void => {
        clearTimeout(timer);
        stop();
        this.#collecting.delete(end);
        if (error === undefined) resolve(replies);
        else reject(error);
      };
      const end = (): void => finish();
      const stop = this.#replies.listen(ticket, (reply: ControlReply) => {
        const body = { [reply.node]: reply.value } as NodeReply<T>;
        replies.push(body);
        try {
          callback?.(body);
        } catch (err) {
          finish(err);
          return;
        }
        if (limit !== undefined && limit > 0 && replies.length >= limit) finish();
      });
      this.#collecting.add(end);
      send().then(
        () => {
          if (!this.#collecting.has(end)) return;
          timer = setTimeout(end, Math.max(0, bounds.timeout) * 1000);
        },
        (err: unknown) => finish(err),
      );
    });
  }
}

/** `destination` as sent: a list of names, or `null` for every node (an empty list too, as a Python worker reads it). */
function destinationList(destination: string | readonly string[] | undefined): string[] | null {
  if (destination === undefined) return null;
  const list = typeof destination === 'string' ? [destination] : [...destination];
  return list.length === 0 ? null : list;
}
