/**
 * A stand-in for a worker's pidbox consumer in the remote-control command tests: it consumes
 * `<node>.celery.pidbox` (in a memory namespace, or on any transport), records the requests meant for it, and answers those that want a
 * reply with what `answer` returns (nothing for `undefined`), through core's pidbox-message helpers.
 */
import { memoryQueueDriver, virtualTransport } from '@q/core';
import type { Transport } from '@q/core';
import { controlQueueTopology, decodeControlRequest, encodeControlReply, isForNode } from '@q/core/adapter';
import type { ControlRequest } from '@q/core/adapter';

export type Answer = (method: string, args: Record<string, unknown>) => unknown;

export interface Responder {
  /** The requests meant for this node. */
  readonly requests: ControlRequest[];
  stop(): Promise<void>;
}

/** Starts a responder for `node` on `transport` (a memory namespace's name: a transport of it). */
export async function startResponder(on: Transport | string, node: string, answer: Answer): Promise<Responder> {
  const transport: Transport = typeof on === 'string' ? virtualTransport(memoryQueueDriver({ namespace: on })) : on;
  await transport.connect();
  const { queue, exchange, binding } = controlQueueTopology(node);
  await transport.declareExchange(exchange);
  await transport.declareQueue(queue);
  await transport.bindQueue(binding);
  const requests: ControlRequest[] = [];
  const consumer = await transport.consume(
    queue.name,
    (delivery) => {
      void delivery.ack();
      const { request } = decodeControlRequest(delivery.message);
      if (!isForNode(request, node)) return;
      requests.push(request);
      const replyTo = request.replyTo;
      if (request.ticket === undefined || replyTo === undefined) return;
      const value = answer(request.method, request.arguments);
      if (value === undefined) return;
      void transport.publish(encodeControlReply(node, value, { ticket: request.ticket, clock: 1 }), {
        exchange: replyTo.exchange,
        routingKey: replyTo.routingKey,
        exchangeType: 'direct',
      });
    },
    { prefetch: 0, tag: `responder-${node}` },
  );
  return {
    requests,
    stop: async () => {
      await consumer.cancel();
      await transport.close();
    },
  };
}

/** Celery-shaped answers for the commands the tests send. */
export const answers: Answer = (method, args) => {
  switch (method) {
    case 'ping':
      return { ok: 'pong' };
    case 'registered':
      return ['tasks.add', 'tasks.mul [rate_limit=10/m]'];
    case 'revoked':
      return [];
    case 'query_task':
      return {};
    case 'stats':
      return { pid: 42, clock: '7', pool: { 'max-concurrency': 2, processes: [43, 44] } };
    case 'rate_limit':
      return args['task_name'] === 'tasks.add' ? { ok: 'new rate limit set successfully' } : { error: 'unknown task' };
    case 'revoke':
      return { ok: `tasks ${[args['task_id']].flat().join(', ')} flagged as revoked` };
    case 'shutdown':
      return undefined;
    case 'flush_cache':
      return { ok: `flushed ${String(args['region'])}` };
    default:
      return { ok: method };
  }
};
