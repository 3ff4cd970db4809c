/**
 * Fast pre-loading of a kombu-format Redis queue (Celery's layout: a list named after the queue, LPUSH in,
 * BRPOP out): one message sent by the real client is read back and copied with fresh ids. Used for the drain
 * scenarios only, so that filling 20k tasks does not take longer than draining them; the copies differ from
 * the original only in `id`, `root_id`, `correlation_id` and `delivery_tag`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

interface KombuEnvelope {
  headers?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

const BATCH = 1_000;

/** Replaces the queue's content with `n` copies of its single message (which a client just sent). */
export async function cloneQueue(redis: Redis, queue: string, n: number): Promise<void> {
  const present = await redis.lrange(queue, 0, -1);
  if (present.length !== 1 || present[0] === undefined) {
    throw new Error(`expected exactly one template message in ${queue}, found ${present.length}`);
  }
  const template = JSON.parse(present[0]) as KombuEnvelope;
  if (!template.headers || !template.properties || typeof template.headers.id !== 'string') {
    throw new Error(`the message in ${queue} is not a kombu envelope with protocol 2 headers`);
  }
  await redis.del(queue);
  for (let sent = 0; sent < n; sent += BATCH) {
    const batch: string[] = [];
    for (let i = sent; i < Math.min(n, sent + BATCH); i++) {
      const id = randomUUID();
      const headers = { ...template.headers, id, root_id: id };
      const properties = { ...template.properties, correlation_id: id, delivery_tag: randomUUID() };
      batch.push(JSON.stringify({ ...template, headers, properties }));
    }
    await redis.lpush(queue, ...batch);
  }
  const length = await redis.llen(queue);
  if (length !== n) throw new Error(`pre-loaded ${length} messages into ${queue}, expected ${n}`);
}
