import { describe, expect, it } from 'vitest';
import { readReply, replyMessage, replyQueue } from './reply-message.js';

const message = (body: string, correlationId?: string) => ({
  body: new TextEncoder().encode(body),
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  headers: {},
  properties: correlationId === undefined ? {} : { correlationId },
});

describe('reply messages', () => {
  it('round-trips a state through the message (no date_done on the wire)', () => {
    const meta = { taskId: 't', status: 'RETRY', result: { exc_type: 'Retry', exc_message: [], exc_module: 'celery.exceptions' }, traceback: 'tb', children: [[['t', null], null]], dateDone: null };
    const sent = replyMessage(meta, 'corr', true);
    expect(sent.properties).toEqual({ correlationId: 'corr', deliveryMode: 2, priority: 0 });
    expect(readReply(sent)).toEqual(meta);
  });

  it('takes the task id from the body, else from correlation_id; refuses a reply naming no task', () => {
    expect(readReply(message('{"task_id": "body-id", "status": "SUCCESS"}', 'corr')).taskId).toBe('body-id');
    expect(readReply(message('{"status": "SUCCESS", "result": 1}', 'corr'))).toMatchObject({ taskId: 'corr', result: 1 });
    expect(() => readReply(message('{"status": "SUCCESS"}'))).toThrow(/names no task/);
  });

  it('refuses other content types and bodies that are not UTF-8 JSON documents', () => {
    expect(() => readReply({ ...message('{}', 'c'), contentType: 'application/x-python-serialize' })).toThrow(/content type/);
    expect(() => readReply({ ...message('', 'c'), body: new Uint8Array([0xff, 0xfe]) })).toThrow(/UTF-8/);
    expect(() => readReply(message('{"result": 1}', 'c'))).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_MALFORMED' }));
  });

  it('declares the reply queue as Celery does', () => {
    expect(replyQueue('oid', 86_400_000)).toEqual({ name: 'oid', durable: false, exclusive: false, autoDelete: true, arguments: { 'x-expires': 86_400_000 } });
    expect(replyQueue('oid', 1500.7)).toMatchObject({ arguments: { 'x-expires': 1500 } });
    expect(replyQueue('oid', null)).toEqual({ name: 'oid', durable: false, exclusive: false, autoDelete: true });
  });
});
