/**
 * Fast pre-loading of the Celery queue on RabbitMQ: the one message a real client sent is taken (`basic.get`) and
 * published again `n` times on a confirm channel with fresh ids, `reply_to` = the harness's reply queue, and
 * `ignore_result` as the scenario wants; with results off one last copy (the sentinel) asks for its result, so the
 * harness sees when the worker got to the end. Body, content type and encoding, delivery mode, priority, exchange
 * and routing key stay the template's.
 *
 * Headers are re-encoded by amqplib's own codec, which would write small integers as `b`/`s` (py-amqp reads `s`
 * as a short *string*); every integer is therefore pinned to `I` (signed 32-bit, what py-amqp writes) or `l`.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, GetMessage, Options } from 'amqplib';

const CONFIRM_EVERY = 1_000;

/** A header value with every integer typed for amqplib's encoder. */
export function pinIntegers(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return { '!': value >= -0x80000000 && value < 0x80000000 ? 'int' : 'long', value };
  }
  if (Array.isArray(value)) return value.map(pinIntegers);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.hasOwn(value, '!')) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pinIntegers(v)]));
  }
  return value;
}

/** What the copies of one template look like. */
export interface FillPlan {
  /** Copies to publish. */
  n: number;
  /** `ignore_result` of the `n` copies. */
  ignoreResult: boolean;
  /** Publish one more copy without `ignore_result` after them. */
  sentinel: boolean;
  /** `reply_to` of every copy. */
  replyTo: string;
}

/** Publishes the copies; resolves with their task ids (the sentinel's last) once RabbitMQ confirmed them all. */
export async function publishCopies(ch: ConfirmChannel, template: GetMessage, plan: FillPlan): Promise<string[]> {
  const headers = template.properties.headers as Record<string, unknown> | undefined;
  if (!headers || typeof headers['id'] !== 'string' || typeof headers['task'] !== 'string') {
    throw new Error('the template message has no protocol 2 headers (id, task)');
  }
  const p = template.properties;
  const base: Options.Publish = { replyTo: plan.replyTo };
  if (p.contentType !== undefined) base.contentType = p.contentType as string;
  if (p.contentEncoding !== undefined) base.contentEncoding = p.contentEncoding as string;
  if (p.deliveryMode !== undefined) base.deliveryMode = p.deliveryMode as number;
  if (p.priority !== undefined) base.priority = p.priority as number;
  const { exchange, routingKey } = template.fields;
  const ids: string[] = [];
  const total = plan.n + (plan.sentinel ? 1 : 0);
  for (let i = 0; i < total; i++) {
    const id = randomUUID();
    const ignoreResult = i < plan.n ? plan.ignoreResult : false;
    const copy = { ...headers, id, root_id: id, ignore_result: ignoreResult };
    const options: Options.Publish = { ...base, correlationId: id, headers: pinIntegers(copy) };
    ids.push(id);
    if (!ch.publish(exchange, routingKey, template.content, options)) await once(ch, 'drain');
    if ((i + 1) % CONFIRM_EVERY === 0) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  return ids;
}
