/** Message ↔ AMQP basic properties as kombu sets them (§1.2). */
import type { ConsumeMessage } from 'amqplib';
import type { Message } from '@q/core/adapter';
import { describe, expect, it } from 'vitest';
import { bodyBuffer, publishOptions, toDeliveryInfo, toMessage } from './message-mapping.js';

const body = new TextEncoder().encode('[[2, 3], {}, {}]');

describe('message mapping', () => {
  it('publishes delivery_mode 2 and priority 0 unless given, and every modelled property', () => {
    const m: Message = { body, contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 't' }, properties: {} };
    expect(publishOptions(m)).toEqual({ contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 't' }, deliveryMode: 2, priority: 0 });
    const full: Message = {
      ...m,
      properties: { correlationId: 'id', replyTo: 'oid', deliveryMode: 1, priority: 7, expiration: '600000', extra: { message_id: 'mid', timestamp: 1700000000, app_id: 'a', replaced_task_nesting: 0 } },
    };
    expect(publishOptions(full)).toMatchObject({ correlationId: 'id', replyTo: 'oid', deliveryMode: 1, priority: 7, expiration: '600000', messageId: 'mid', timestamp: 1700000000, appId: 'a' });
    expect(publishOptions(full)).not.toHaveProperty('replaced_task_nesting');
  });

  it('reads a delivery into a message and its delivery info', () => {
    const raw = {
      content: Buffer.from(body),
      fields: { deliveryTag: 42, redelivered: true, exchange: '', routingKey: 'celery', consumerTag: 'c' },
      properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { id: 'x' }, deliveryMode: 2, priority: 3, correlationId: 'x', replyTo: 'r', expiration: undefined, messageId: 'm', timestamp: undefined, type: undefined, userId: undefined, appId: undefined, clusterId: undefined },
    } as unknown as ConsumeMessage;
    expect(toMessage(raw)).toEqual({
      body: raw.content,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { id: 'x' },
      properties: { correlationId: 'x', replyTo: 'r', deliveryMode: 2, priority: 3, extra: { message_id: 'm' } },
    });
    expect(toDeliveryInfo(raw, 'celery')).toEqual({ exchange: '', routingKey: 'celery', redelivered: true, queue: 'celery', deliveryTag: '42', priority: 3 });
  });

  it('passes Buffers through and wraps other byte arrays without copying', () => {
    const buf = Buffer.from('x');
    expect(bodyBuffer(buf)).toBe(buf);
    const wrapped = bodyBuffer(body);
    expect(Buffer.isBuffer(wrapped) && wrapped.buffer === body.buffer).toBe(true);
  });
});
