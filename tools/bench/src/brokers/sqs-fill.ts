/**
 * Fast pre-loading of a kombu-format SQS queue: the one message a peer's real client just sent (Celery's
 * `apply_async()` through kombu and boto3, or q's `applyAsync()` through `@q/transport-sqs`) is received and
 * deleted, then sent again `n` times with SendMessageBatch (10 a request, a few requests in flight) with fresh ids,
 * in kombu's format (§4 of the wire spec: the envelope JSON, base64-encoded again as the SQS MessageBody). The copies
 * differ from the template only in `id`, `root_id`, `correlation_id` and `delivery_tag`, as the Redis fill's do, so
 * each peer drains copies of what its own client sends.
 */
import { randomUUID } from 'node:crypto';
import type { SqsApi } from './sqs-api.js';

interface KombuEnvelope {
  headers?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

/** SQS's SendMessageBatch maximum. */
const BATCH = 10;
/** SendMessageBatch requests in flight while filling. */
const IN_FLIGHT = 8;

/** kombu's `_optional_b64_decode`: base64-decodes only when re-encoding gives the same text, else the raw body. */
export function decodeBody(body: string): string {
  const decoded = Buffer.from(body, 'base64');
  return decoded.toString('base64') === body ? decoded.toString('utf8') : body;
}

/** Copies of a template envelope with fresh ids, each ready as an SQS MessageBody (base64 of the JSON, as kombu sends). */
export function copyBodies(template: KombuEnvelope, n: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const headers = { ...template.headers, id, root_id: id };
    const properties = { ...template.properties, correlation_id: id, delivery_tag: randomUUID() };
    bodies.push(Buffer.from(JSON.stringify({ ...template, headers, properties }), 'utf8').toString('base64'));
  }
  return bodies;
}

/** Replaces the queue's single message (a client just sent it) with `n` copies; resolves once SQS took them all. */
export async function cloneSqsQueue(api: SqsApi, queueUrl: string, n: number): Promise<void> {
  const before = await api.counts(queueUrl);
  if (before.visible !== 1 || before.inFlight !== 0) throw new Error(`expected exactly one template message in ${queueUrl}, found ${before.visible} (+${before.inFlight} in flight)`);
  const [message] = await api.receive(queueUrl, 1, 1);
  if (!message) throw new Error(`the template message in ${queueUrl} is gone`);
  await api.delete(queueUrl, message.ReceiptHandle);
  const template = JSON.parse(decodeBody(message.Body)) as KombuEnvelope;
  if (!template.headers || !template.properties || typeof template.headers['id'] !== 'string') {
    throw new Error(`the message in ${queueUrl} is not a kombu envelope with protocol 2 headers`);
  }
  const bodies = copyBodies(template, n);
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const from = next;
      next += BATCH;
      await api.sendBatch(queueUrl, bodies.slice(from, from + BATCH));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  const after = await api.counts(queueUrl);
  if (after.visible !== n) throw new Error(`pre-loaded ${after.visible} messages into ${queueUrl}, expected ${n}`);
}
