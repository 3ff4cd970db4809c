import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Message } from '../contracts/index.js';
import { ProtocolError } from '../errors/q-error.js';
import { decodeEnvelope, encodeEnvelope, markRedelivered } from './envelope.js';
import { pyJsonParse, pyJsonStringify } from './python-json.js';

const VECTORS = VECTORS_DIR;
const raw = readFileSync(`${VECTORS}redis-envelope-add.raw.txt`, 'utf8').replace(/\n$/, '');
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`${VECTORS}${name}`, 'utf8')) as Record<string, unknown>;

describe('kombu envelope', () => {
  it('byte-matches the captured Redis LPUSH value when fed its fields', () => {
    const parsed = JSON.parse(raw) as { headers: Record<string, unknown> };
    const message: Message = {
      body: new TextEncoder().encode('[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]'),
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: parsed.headers,
      properties: {
        correlationId: '6e78e4a9-cc7a-413d-a7f3-d751a7290c3e',
        replyTo: '22fe7d4a-c418-3584-868b-de1eeec4d24e',
        deliveryMode: 2,
        priority: 0,
      },
    };
    const text = encodeEnvelope(message, { exchange: '', routingKey: 'celery', deliveryTag: '01544aa8-4b0f-4ee7-b2da-04084183011b' });
    expect(text).toBe(raw);
  });

  it('decodes the captured envelope', () => {
    const env = decodeEnvelope(raw);
    expect(env).toMatchObject({ exchange: '', routingKey: 'celery', deliveryTag: '01544aa8-4b0f-4ee7-b2da-04084183011b', redelivered: false, priority: 0 });
    expect(env.message.contentType).toBe('application/json');
    expect(env.message.headers.task).toBe('capapp.add');
    expect(env.message.properties).toEqual({
      correlationId: '6e78e4a9-cc7a-413d-a7f3-d751a7290c3e',
      replyTo: '22fe7d4a-c418-3584-868b-de1eeec4d24e',
      deliveryMode: 2,
      priority: 0,
    });
    expect(new TextDecoder().decode(env.message.body)).toBe('[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]');
  });

  it('round-trips event and control envelopes (no correlation id, delivery_mode 1, float headers)', () => {
    for (const name of ['event-redis-task-multi-envelope.json', 'control-ping-request.json', 'control-ping-reply.json']) {
      const text = pyJsonStringify(load(name).envelope);
      const env = decodeEnvelope(text);
      expect(encodeEnvelope(env.message, env), name).toBe(text);
    }
  });

  it('accepts a raw JSON body when body_encoding is absent (hand-built envelope)', () => {
    const cases = (load('interop-handmade-envelopes.json').cases as { lpush_value?: unknown }[]).filter((c) => c.lpush_value);
    const rawBody = cases[1]?.lpush_value as { body: string };
    const env = decodeEnvelope(pyJsonStringify(rawBody));
    expect(new TextDecoder().decode(env.message.body)).toBe(rawBody.body);
    expect(env.message.properties).toEqual({});
  });

  it('marks redelivery the way kombu restores a message', () => {
    const requeued = load('redis-requeued-on-shutdown.json');
    const env = structuredClone(requeued) as { headers: Record<string, unknown>; properties: { delivery_info: Record<string, unknown> } };
    delete env.headers.redelivered;
    delete env.properties.delivery_info.redelivered;
    expect(decodeEnvelope(pyJsonStringify(env)).redelivered).toBe(false);
    const marked = markRedelivered(pyJsonStringify(env));
    expect(marked).toBe(pyJsonStringify(requeued));
    expect(decodeEnvelope(marked).redelivered).toBe(true);
    expect(markRedelivered(marked)).toBe(marked);
  });

  it('rejects envelopes a Python worker would die on', () => {
    const good = pyJsonParse(raw) as { properties: Record<string, unknown> };
    const without = (mutate: (e: { properties: Record<string, unknown> } & Record<string, unknown>) => void): string => {
      const e = structuredClone(good) as { properties: Record<string, unknown> } & Record<string, unknown>;
      mutate(e);
      return pyJsonStringify(e);
    };
    expect(() => decodeEnvelope(without((e) => delete e.properties.delivery_tag))).toThrow(/properties.delivery_tag/);
    expect(() => decodeEnvelope(without((e) => delete e.properties.delivery_info))).toThrow(/properties.delivery_info/);
    expect(() => decodeEnvelope(without((e) => ((e.properties.delivery_info as Record<string, unknown>).exchange = null)))).toThrow(
      /delivery_info.exchange/,
    );
    expect(() => decodeEnvelope(without((e) => delete e.body))).toThrow(/"body"/);
    expect(() => decodeEnvelope(without((e) => (e.properties.body_encoding = 'rot13')))).toThrow(/body_encoding/);
    expect(() => decodeEnvelope('not json')).toThrow(ProtocolError);
    expect(() => decodeEnvelope('[1]')).toThrow(/not a JSON object/);
  });

  it('writes unknown properties after reply_to and expiration after delivery_mode (kombu order)', () => {
    const message: Message = {
      body: new Uint8Array([1, 2, 255]),
      contentType: 'application/octet-stream',
      contentEncoding: 'binary',
      headers: {},
      properties: { correlationId: 'c', replyTo: 'r', deliveryMode: 2, priority: 3, expiration: '600000', extra: { origin: 'x' } },
    };
    const text = encodeEnvelope(message, { exchange: 'ex', routingKey: 'rk', deliveryTag: 't' });
    expect(text).toBe(
      '{"body": "AQL/", "content-encoding": "binary", "content-type": "application/octet-stream", "headers": {}, ' +
        '"properties": {"correlation_id": "c", "reply_to": "r", "origin": "x", "delivery_mode": 2, "expiration": "600000", ' +
        '"delivery_info": {"exchange": "ex", "routing_key": "rk"}, "priority": 3, "body_encoding": "base64", "delivery_tag": "t"}}',
    );
    const back = decodeEnvelope(text);
    expect(back.message).toEqual(message);
  });
});
