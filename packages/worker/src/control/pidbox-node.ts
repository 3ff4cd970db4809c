/**
 * The worker's end of the pidbox (kombu's `pidbox.Node` with Celery's `Pidbox` consumer): reads each request
 * delivered to `<nodename>.celery.pidbox`, moves the clock past the sender's, drops a request that expired or is
 * for other nodes, runs the command and, when the request carries a ticket, publishes the reply to its `reply_to`.
 * Nothing a request does stops the worker: a malformed request is logged and dropped, an unknown method and a
 * failing handler are replied as errors (`KeyError('<method>')`, `<Name>('<message>')`).
 *
 * Requests are handled as they are delivered, beside the task traffic, never queued behind it.
 */
import type { ControlCommand, ControlCommandContext, Logger, Message, Transport } from '@q/core';
import { decodeControlRequest, encodeControlReply, isForNode } from '@q/core/adapter';
import type { ReceivedControlRequest } from '@q/core/adapter';
import type { CommandRegistry } from './command-registry.js';
import type { ControlledWorker } from './controlled-worker.js';
import { errorReply, unknownCommandReply } from './error-reply.js';
import { NO_REPLY } from './no-reply.js';

/** What the node needs: the worker (handed to commands) and where replies go. */
export interface PidboxNodeOptions {
  worker: ControlledWorker;
  commands: CommandRegistry;
  /** The transport replies are published on. */
  transport: Transport;
  logger: Logger;
  /** Now, epoch ms (tests). */
  now?: () => number;
}

/** A command's result as sent: control commands' plain values as `{ok: value}`, `undefined` as `null`. */
function replyValue(command: ControlCommand<ControlledWorker>, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (command.type === 'inspect') return value;
  if (typeof value === 'object' && !Array.isArray(value) && ('ok' in value || 'error' in value)) return value;
  return { ok: value };
}

/** Handles pidbox deliveries for one worker. */
export class PidboxNode {
  readonly #o: PidboxNodeOptions;
  readonly #now: () => number;

  constructor(options: PidboxNodeOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Handles one request message; resolves once its reply (if any) is published. Never rejects.
   * @returns the value replied (`undefined` when the request was dropped or wants no reply).
   */
  async handle(message: Message): Promise<unknown> {
    const { worker, logger } = this.#o;
    let received: ReceivedControlRequest;
    try {
      received = decodeControlRequest(message);
    } catch (err) {
      logger.warn({ err }, 'malformed remote-control request: dropped');
      return undefined;
    }
    const { request, clock, expiresAt } = received;
    if (clock !== undefined) worker.clock.adjust(clock);
    else worker.clock.forward();
    if (!isForNode(request, worker.hostname)) return undefined;
    // An expired question is dropped (its asker stopped listening); an action always runs, late or not, as Celery
    // runs every request: a revoke queued while the worker was down, or read late, must not be lost.
    if (expiresAt !== undefined && expiresAt < this.#now() && this.#o.commands.get(request.method)?.type !== 'control') {
      logger.debug({ method: request.method, expiresAt }, `remote-control request ${request.method} expired: ignored`);
      return undefined;
    }
    const value = await this.#dispatch(request.method, request.arguments, request.replyTo !== undefined);
    if (value === NO_REPLY || request.ticket === undefined || request.replyTo === undefined) return undefined;
    const reply = encodeControlReply(worker.hostname, value, { ticket: request.ticket, clock: worker.clock.forward() });
    try {
      await this.#o.transport.publish(reply, { exchange: request.replyTo.exchange, routingKey: request.replyTo.routingKey, exchangeType: 'direct' });
    } catch (err) {
      logger.error({ err, method: request.method }, `could not reply to remote-control request ${request.method}`);
    }
    return value;
  }

  /** Runs `method`; an unknown one or a failure becomes an error reply. */
  async #dispatch(method: string, args: Record<string, unknown>, wantsReply: boolean): Promise<unknown> {
    const { worker, logger } = this.#o;
    const command = this.#o.commands.get(method);
    logger.debug({ method, args, reply: wantsReply }, `pidbox received method ${method}`);
    if (command === undefined) {
      logger.error(`No such control command: ${method}`);
      return unknownCommandReply(method);
    }
    const context: ControlCommandContext<ControlledWorker> = { worker, hostname: worker.hostname, logger, method };
    try {
      const value: unknown = await command.handler(context, args);
      return value === NO_REPLY ? NO_REPLY : replyValue(command, value);
    } catch (err) {
      logger.error({ err, method }, `remote-control command ${method} failed`);
      return errorReply(err);
    }
  }
}
