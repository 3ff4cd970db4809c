/**
 * The client's end of remote-control replies: one queue per client, `<oid>.reply.celery.pidbox`, bound to the
 * direct exchange `reply.celery.pidbox` with the client's oid as key (kombu's `Mailbox.reply_queue`). It is declared,
 * bound and consumed (`noAck`, as kombu) once per transport, on the first broadcast that wants replies, so that the
 * queue exists before any worker answers; each reply is handed to the broadcast waiting for its ticket. Replies to
 * tickets nobody waits for any more (late ones) are dropped, and so are malformed ones, with a log line.
 */
import type { Logger } from '../contracts/logger.js';
import type { Delivery } from '../contracts/message.js';
import type { Transport } from '../contracts/transport.js';
import { PerTransportConsumer } from '../transport/per-transport-consumer.js';
import { controlReplyTopology, type BroadcastTopologyOptions } from '../routing/broadcast-topology.js';
import type { LamportClock } from './lamport-clock.js';
import { decodeControlReply, type ControlReply } from './pidbox-message.js';

/** What the reply consumer needs from the app. */
export interface ReplyConsumerHost {
  /** The client's oid: the reply routing key. */
  readonly oid: string;
  readonly log: Logger;
  /** Moved past the clock of every reply. */
  readonly clock: LamportClock;
}

/** Receives the replies of one client and routes them by ticket. */
export class ReplyConsumer {
  readonly #host: ReplyConsumerHost;
  readonly #topology: BroadcastTopologyOptions;
  readonly #waiting = new Map<string, (reply: ControlReply) => void>();
  readonly #consumer: PerTransportConsumer;

  constructor(host: ReplyConsumerHost, topology: BroadcastTopologyOptions) {
    this.#host = host;
    this.#topology = topology;
    this.#consumer = new PerTransportConsumer('remote-control reply consumer', () => host.log);
  }

  /** The reply exchange and routing key requests name in their `reply_to`. */
  get replyTo(): { exchange: string; routingKey: string } {
    const { binding } = controlReplyTopology(this.#host.oid, this.#topology);
    return { exchange: binding.exchange, routingKey: binding.routingKey };
  }

  /** The reply queue's name (`<oid>.reply.celery.pidbox`). */
  get queue(): string {
    return controlReplyTopology(this.#host.oid, this.#topology).queue.name;
  }

  /**
   * Declares and binds the reply queue and consumes it on `transport`, once per transport (a transport the app
   * replaced, after `close()` and a new connect, gets its own). Resolves once replies can be received.
   */
  async ready(transport: Transport): Promise<void> {
    await this.#consumer.ensure(transport, async (t) => {
      const { queue, exchange, binding } = controlReplyTopology(this.#host.oid, this.#topology);
      await t.declareExchange(exchange);
      await t.declareQueue(queue);
      await t.bindQueue(binding);
      return t.consume(queue.name, (delivery) => this.#onDelivery(delivery), { prefetch: 0, noAck: true, tag: `pidbox-reply-${this.#host.oid}` });
    });
  }

  /** Calls `onReply` with each reply carrying `ticket` until the returned function is called. */
  listen(ticket: string, onReply: (reply: ControlReply) => void): () => void {
    this.#waiting.set(ticket, onReply);
    return () => {
      if (this.#waiting.get(ticket) === onReply) this.#waiting.delete(ticket);
    };
  }

  /** Stops consuming (the queue expires on its own, `x-expires`). Waiting broadcasts keep what they received. */
  async close(): Promise<void> {
    await this.#consumer.close();
  }

  #onDelivery(delivery: Delivery): void {
    let reply: ControlReply;
    try {
      reply = decodeControlReply(delivery.message);
    } catch (err) {
      this.#host.log.warn({ err, queue: delivery.info.queue, deliveryTag: delivery.info.deliveryTag }, 'malformed remote-control reply dropped');
      return;
    }
    this.#host.clock.adjust(reply.clock ?? 0);
    const waiter = this.#waiting.get(reply.ticket);
    if (!waiter) {
      this.#host.log.debug({ ticket: reply.ticket, node: reply.node }, 'remote-control reply for a request no longer waited for: dropped');
      return;
    }
    waiter(reply);
  }
}
