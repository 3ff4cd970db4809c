/**
 * A stand-in for a worker's pidbox consumer in unit tests: it consumes `<node>.celery.pidbox` on its own transport
 * (sharing the client's memory namespace), records every request it receives, and answers those meant for it with
 * what `answer` returns (nothing when it returns `undefined`), through the same pidbox-message helpers the worker uses.
 */
import type { Consumer, Message, Transport } from '../src/contracts/index.js';
import { decodeControlRequest, encodeControlReply, isForNode, type ReceivedControlRequest } from '../src/control/pidbox-message.js';
import { controlQueueTopology } from '../src/routing/broadcast-topology.js';

/** A request as the responder saw it. */
export interface SeenRequest extends ReceivedControlRequest {
  message: Message;
  /** The request named this node (destination / pattern). */
  forMe: boolean;
}

/** Answers `method` with `args`, or `undefined` for no reply. */
export type Answer = (method: string, args: Record<string, unknown>) => unknown;

export interface Responder {
  readonly node: string;
  readonly seen: SeenRequest[];
  /** Resolves once `n` requests have been seen. */
  waitFor(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a responder for `node` on `transport` (connected here). */
export async function startResponder(transport: Transport, node: string, answer: Answer, options: { delayMs?: number } = {}): Promise<Responder> {
  await transport.connect();
  const { queue, exchange, binding } = controlQueueTopology(node);
  await transport.declareExchange(exchange);
  await transport.declareQueue(queue);
  await transport.bindQueue(binding);
  const seen: SeenRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let clock = 100;
  const consumer: Consumer = await transport.consume(
    queue.name,
    (delivery) => {
      void delivery.ack();
      const received = decodeControlRequest(delivery.message);
      const forMe = isForNode(received.request, node);
      seen.push({ ...received, message: delivery.message, forMe });
      for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
      const { request } = received;
      if (!forMe || request.ticket === undefined || request.replyTo === undefined) return;
      const value = answer(request.method, request.arguments);
      if (value === undefined) return;
      const reply = encodeControlReply(node, value, { ticket: request.ticket, clock: ++clock });
      const send = () =>
        void transport.publish(reply, { exchange: request.replyTo!.exchange, routingKey: request.replyTo!.routingKey, exchangeType: 'direct' });
      if (options.delayMs) setTimeout(send, options.delayMs);
      else send();
    },
    { prefetch: 0, noAck: false, tag: `responder-${node}` },
  );
  return {
    node,
    seen,
    waitFor: (n) => (seen.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    stop: async () => {
      await consumer.cancel();
      await transport.close();
    },
  };
}

/** A worker's answers to the commands the tests use (Celery's reply shapes). */
export const celeryAnswers: Answer = (method, args) => {
  switch (method) {
    case 'ping':
      return { ok: 'pong' };
    case 'revoke':
      return { ok: `tasks ${[args['task_id']].flat().join(', ')} flagged as revoked` };
    case 'registered':
      return ['tasks.add', 'tasks.mul'];
    case 'revoked':
      return [];
    case 'clock':
      return { clock: 142 };
    case 'shutdown':
      return undefined;
    default:
      return { error: `KeyError('${method}')` };
  }
};
