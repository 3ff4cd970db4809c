import { decodeEnvelope } from '@q/core/adapter';
import { listVectors, readVector } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { eventRoutingKey } from './event.js';
import { decodeEvents, encodeEvents } from './event-message.js';

type SingleVector = { routing_key: string; event: Record<string, unknown> };
type AmqpVector = { body: string; decoded_body: unknown; properties: { content_type: string; content_encoding: string; application_headers: Record<string, unknown>; delivery_mode: number } };

const bytes = (text: string) => new TextEncoder().encode(text);

describe('decodeEvents against the captured Celery events', () => {
  const singles = listVectors(/^event-(task|worker)-.*\.json$/);

  it('has the captured single events', () => {
    expect(singles.length).toBeGreaterThanOrEqual(12);
  });

  it.each(singles)('%s decodes to the captured event, and its routing key is the type with - as .', (name) => {
    const vector = readVector<SingleVector>(name);
    const { events, errors } = decodeEvents(bytes(JSON.stringify(vector.event)));
    expect(errors).toEqual([]);
    expect(events).toEqual([vector.event]);
    if (vector.routing_key !== 'task.multi') expect(eventRoutingKey(events[0]?.type ?? '')).toBe(vector.routing_key);
  });

  it.each(Object.keys(readVector<Record<string, AmqpVector>>('event-amqp-messages.json')))('AMQP message %s decodes (object or array body)', (key) => {
    const vector = readVector<Record<string, AmqpVector>>('event-amqp-messages.json')[key] as AmqpVector;
    const message = {
      body: bytes(vector.body),
      contentType: vector.properties.content_type,
      contentEncoding: vector.properties.content_encoding,
      headers: vector.properties.application_headers,
      properties: { deliveryMode: 1 as const },
    };
    const { events, errors } = decodeEvents(message);
    expect(errors).toEqual([]);
    expect(events).toEqual(Array.isArray(vector.decoded_body) ? vector.decoded_body : [vector.decoded_body]);
  });

  it('the Redis task.multi envelope (base64 kombu envelope) decodes to its batch, in order', () => {
    const vector = readVector<{ envelope: unknown; decoded_body: Record<string, unknown>[] }>('event-redis-task-multi-envelope.json');
    const envelope = decodeEnvelope(JSON.stringify(vector.envelope));
    expect(envelope.routingKey).toBe('task.multi');
    const { events, errors } = decodeEvents(envelope.message);
    expect(errors).toEqual([]);
    expect(events).toEqual(vector.decoded_body);
    expect(events.map((e) => e.clock)).toEqual([35, 36]);
  });
});

describe('encodeEvents', () => {
  const event = readVector<SingleVector>('event-task-succeeded.json').event as { type: string } & Record<string, unknown>;

  it('one event is an object body with the message shape of the captured AMQP events', () => {
    const message = encodeEvents(event, 'w1@cap');
    expect(message.contentType).toBe('application/json');
    expect(message.contentEncoding).toBe('utf-8');
    expect(message.headers).toEqual({ hostname: 'w1@cap' });
    expect(message.properties).toEqual({ deliveryMode: 1 });
    // Compact JSON, keys in insertion order (Python's json.loads reads it as it reads Celery's spaced spelling)
    expect(new TextDecoder().decode(message.body)).toBe(JSON.stringify(event));
    expect(new TextDecoder().decode(message.body)).toMatch(/^\{"hostname":"w1@cap","utcoffset":0,"pid":11056,"clock":11,/);
    expect(decodeEvents(message).events).toEqual([event]);
  });

  it('a batch is an array body that decodes in order', () => {
    const batch = [event, { ...event, clock: 12 }, { ...event, clock: 13 }];
    const message = encodeEvents(batch, 'w1@cap');
    expect(new TextDecoder().decode(message.body).startsWith('[{')).toBe(true);
    expect(decodeEvents(message).events.map((e) => e.clock)).toEqual([11, 12, 13]);
  });
});

describe('decodeEvents never throws on bad input', () => {
  const good = { type: 'worker-heartbeat', hostname: 'w@h', timestamp: 1.5, utcoffset: 0, pid: 1, clock: 3 };

  it('reports a body that is not JSON or not UTF-8', () => {
    expect(decodeEvents(bytes('{nope'))).toEqual({ events: [], errors: [expect.stringMatching(/not JSON/)] });
    expect(decodeEvents(new Uint8Array([0xff, 0xfe]))).toEqual({ events: [], errors: [expect.stringMatching(/not UTF-8/)] });
    expect(decodeEvents('')).toEqual({ events: [], errors: [expect.stringMatching(/not JSON/)] });
  });

  it('reports a message of another content type', () => {
    const message = { ...encodeEvents(good, 'w@h'), contentType: 'application/x-python-serialize' };
    expect(decodeEvents(message).errors).toEqual([expect.stringMatching(/content type/)]);
  });

  it('skips malformed events of a batch and keeps the others in order', () => {
    const body = [good, 5, null, { ...good, type: '' }, { ...good, hostname: 1 }, { ...good, timestamp: 'x' }, { ...good, pid: '1' }, { ...good, clock: 'x' }, { ...good, clock: 4 }];
    const { events, errors } = decodeEvents(bytes(JSON.stringify(body)));
    expect(events).toEqual([good, { ...good, clock: 4 }]);
    expect(errors).toHaveLength(7);
    expect(errors[0]).toMatch(/event 1 of the batch skipped: not an object \(number\)/);
    expect(errors[1]).toMatch(/not an object \(null\)/);
    expect(errors[2]).toMatch(/"type"/);
    expect(errors[3]).toMatch(/"hostname"/);
    expect(errors[4]).toMatch(/"timestamp"/);
    expect(errors[5]).toMatch(/"pid"/);
    expect(errors[6]).toMatch(/"clock"/);
  });

  it('a single object without a type is an error; a null clock (blind event) is removed', () => {
    expect(decodeEvents({ parsed: { hostname: 'x' } }).errors).toEqual(['event skipped: "type" must be a non-empty string']);
    expect(decodeEvents({ parsed: 'str' }).errors).toEqual(['event skipped: not an object (string)']);
    const { events } = decodeEvents({ parsed: { ...good, clock: null } });
    expect(events).toHaveLength(1);
    expect('clock' in (events[0] ?? {})).toBe(false);
  });

  it('an empty batch is no events and no error; NaN from Python json decodes', () => {
    expect(decodeEvents(bytes('[]'))).toEqual({ events: [], errors: [] });
    const { events } = decodeEvents(bytes('{"type": "task-succeeded", "hostname": "w", "timestamp": 1.0, "runtime": NaN}'));
    expect(events[0]?.['runtime']).toBeNaN();
  });
});
