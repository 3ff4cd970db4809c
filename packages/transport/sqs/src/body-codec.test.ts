/** MessageBody codec against the captured kombu SQS messages. */
import { readVector } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, fifoIds, leasePayload } from './body-codec.js';

interface SqsVector {
  sqs_message_body_raw: string;
  decoded_envelope: Record<string, unknown>;
}

describe('body codec', () => {
  for (const name of ['sqs-message-celery.json', 'sqs-message-dotted-queue.json']) {
    it(`decodes ${name} to the envelope, and re-encodes it to the same bytes`, () => {
      const v = readVector<SqsVector>(name);
      const payload = decodeBody(v.sqs_message_body_raw);
      expect(JSON.parse(payload)).toEqual(v.decoded_envelope);
      expect(encodeBody(payload, true)).toBe(v.sqs_message_body_raw);
      expect(leasePayload(v.sqs_message_body_raw, 1)).toBe(payload);
    });
  }

  it('takes raw JSON as is (kombu: decode only when re-encoding gives the same bytes)', () => {
    const json = '{"body": "abcd", "properties": {}}';
    expect(decodeBody(json)).toBe(json);
    expect(encodeBody(json, false)).toBe(json);
    expect(decodeBody('YWJj')).toBe('abc');
    // base64, but not canonical ('YR==' decodes to 'a', which encodes to 'YQ=='): left alone
    expect(decodeBody('YR==')).toBe('YR==');
    expect(decodeBody('ab=c')).toBe('ab=c');
  });

  it('marks a message received more than once as redelivered; leaves non-envelopes unchanged', () => {
    const v = readVector<SqsVector>('sqs-message-celery.json');
    const again = JSON.parse(leasePayload(v.sqs_message_body_raw, 2)) as { headers: Record<string, unknown>; properties: { delivery_info: Record<string, unknown> } };
    expect(again.headers['redelivered']).toBe(true);
    expect(again.properties.delivery_info['redelivered']).toBe(true);
    expect(leasePayload('not json at all', 3)).toBe('not json at all');
    expect(leasePayload('{"no": "properties"}', 3)).toBe('{"no": "properties"}');
    expect(leasePayload(encodeBody('{"no": "properties"}', true), 3)).toBe('{"no": "properties"}');
  });

  it('FIFO ids: the envelope properties MessageGroupId/MessageDeduplicationId, else default and a new id', () => {
    expect(fifoIds(JSON.stringify({ properties: { MessageGroupId: 'g', MessageDeduplicationId: 'd' } }), () => 'new')).toEqual({ MessageGroupId: 'g', MessageDeduplicationId: 'd' });
    expect(fifoIds(JSON.stringify({ properties: {} }), () => 'new')).toEqual({ MessageGroupId: 'default', MessageDeduplicationId: 'new' });
    expect(fifoIds('garbage', () => 'new')).toEqual({ MessageGroupId: 'default', MessageDeduplicationId: 'new' });
  });
});
