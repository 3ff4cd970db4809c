/**
 * Keeps the soak's queue supplied without holding a million messages anywhere: one template message sent by the
 * real q client is read back, then copies with fresh ids are pushed in chunks (kombu's layout: LPUSH onto the
 * `celery` list) whenever the queue runs low, until the total is reached.
 */
import { randomUUID } from 'node:crypto';
import { createApp } from '@q/core';
import { redisTransport } from '@q/transport-redis';
import type { Redis } from 'ioredis';
import { QUEUE, TASK_NAME } from '../config.js';

interface KombuEnvelope {
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
}

/** Messages per LPUSH. */
const BATCH = 1_000;

/** The message q's client publishes for `bench.noop()`, taken back off the queue. */
export async function templateMessage(url: string, redis: Redis): Promise<KombuEnvelope> {
  const app = createApp({ name: 'soak-client', broker: redisTransport(url), backend: null });
  try {
    await app.sendTask(TASK_NAME, []);
  } finally {
    await app.close();
  }
  const raw = await redis.rpop(QUEUE);
  if (raw === null) throw new Error(`the template message did not arrive in ${QUEUE}`);
  const envelope = JSON.parse(raw) as Partial<KombuEnvelope>;
  if (!envelope.headers || !envelope.properties) throw new Error(`the message in ${QUEUE} is not a kombu envelope`);
  return envelope as KombuEnvelope;
}

/**
 * Pushes `n` copies of `template` (fresh `id`, `root_id`, `correlation_id`, `delivery_tag`) onto the queue;
 * `onPushed` hears of each batch once it is in the queue (so the count of pushed messages is never behind it).
 */
export async function pushCopies(redis: Redis, template: KombuEnvelope, n: number, onPushed: (count: number) => void = () => undefined): Promise<void> {
  for (let sent = 0; sent < n; sent += BATCH) {
    const batch: string[] = [];
    for (let i = sent; i < Math.min(n, sent + BATCH); i++) {
      const id = randomUUID();
      batch.push(JSON.stringify({ ...template, headers: { ...template.headers, id, root_id: id }, properties: { ...template.properties, correlation_id: id, delivery_tag: randomUUID() } }));
    }
    await redis.lpush(QUEUE, ...batch);
    onPushed(batch.length);
  }
}
