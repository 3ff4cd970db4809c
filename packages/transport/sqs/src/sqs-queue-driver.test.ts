/**
 * Driver behaviour that needs no emulator, against a scripted client: reject without a redrive policy, the 12-hour
 * refusal of an extension, redelivered flags from ApproximateReceiveCount, close() making held messages visible.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { recordingLogger } from '@q/testing';
import { describe, expect, it } from 'vitest';
import { encodeBody } from './body-codec.js';
import { sqsQueueDriver } from './sqs-queue-driver.js';

interface Call {
  name: string;
  input: Record<string, unknown>;
}

const envelope = JSON.stringify({ body: 'x', headers: {}, properties: { delivery_tag: 't', delivery_info: {} } });

function scripted(options: { redrive?: boolean; refuseExtension?: boolean; receiveCount?: string; body?: string; full?: boolean } = {}): {
  client: SQSClient;
  calls: Call[];
} {
  const calls: Call[] = [];
  let served = false;
  let handles = 0;
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push({ name, input: command.input });
      switch (name) {
        case 'GetQueueUrl':
          return { QueueUrl: `http://sqs/1/${String(command.input['QueueName'])}` };
        case 'GetQueueAttributes':
          return { Attributes: options.redrive ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:dead', maxReceiveCount: 3 }) } : {} };
        case 'ReceiveMessage':
          if (options.full) {
            const n = Number(command.input['MaxNumberOfMessages']);
            return { Messages: Array.from({ length: n }, () => ({ MessageId: 'm', ReceiptHandle: `rh-${++handles}`, Body: encodeBody(envelope, true) })) };
          }
          if (served) return { Messages: [] };
          served = true;
          return { Messages: [{ MessageId: 'm', ReceiptHandle: 'rh-1', Body: options.body ?? encodeBody(envelope, true), Attributes: { ApproximateReceiveCount: options.receiveCount ?? '1' } }] };
        case 'ChangeMessageVisibilityBatch': {
          const entries = command.input['Entries'] as { Id: string }[];
          if (!options.refuseExtension) return { Successful: entries, Failed: [] };
          return {
            Failed: entries.map((e) => ({
              Id: e.Id,
              Code: 'InvalidParameterValue',
              SenderFault: true,
              Message: 'Value 1800 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
            })),
          };
        }
        default:
          return {};
      }
    },
    destroy: () => undefined,
  } as unknown as SQSClient;
  return { client, calls };
}

const names = (calls: Call[]): string[] => calls.map((c) => c.name);

describe('SqsQueueDriver (scripted client)', () => {
  it('reserve: ReceiveMessage with the receive count attribute; a message received before is flagged redelivered', async () => {
    const { client, calls } = scripted({ receiveCount: '2' });
    const driver = sqsQueueDriver({ client, visibilityTimeoutMs: 2500 });
    const [lease] = await driver.reserve(['celery'], { max: 25, waitMs: 0 });
    const receives = calls.filter((c) => c.name === 'ReceiveMessage');
    expect(receives.map((r) => r.input['MaxNumberOfMessages'])).toEqual([10]);
    expect(receives[0]?.input).toMatchObject({ WaitTimeSeconds: 0, VisibilityTimeout: 3, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(lease?.tag).toBe('rh-1');
    expect(lease?.queue).toBe('celery');
    expect(JSON.parse(lease?.payload ?? '{}')).toMatchObject({ headers: { redelivered: true }, properties: { delivery_info: { redelivered: true } } });
    await driver.close();
  });

  it('a reserve of more than 10 fans out into parallel receives only while the last one came back full', async () => {
    const { client, calls } = scripted({ full: true });
    const driver = sqsQueueDriver({ client });
    const sizes = (): unknown[] => calls.filter((c) => c.name === 'ReceiveMessage').map((r) => r.input['MaxNumberOfMessages']);
    expect(await driver.reserve(['celery'], { max: 25, waitMs: 0 })).toHaveLength(10);
    expect(sizes()).toEqual([10]);
    expect(await driver.reserve(['celery'], { max: 25, waitMs: 0 })).toHaveLength(25);
    expect(sizes()).toEqual([10, 10, 10, 5]);

    const idle = scripted();
    const quiet = sqsQueueDriver({ client: idle.client });
    for (let i = 0; i < 3; i++) await quiet.reserve(['celery'], { max: 40, waitMs: 0 });
    expect(idle.calls.filter((c) => c.name === 'ReceiveMessage').map((r) => r.input['MaxNumberOfMessages'])).toEqual([10, 10, 10]);
    await Promise.all([driver.close(), quiet.close()]);
  });

  it('close() makes the messages still held visible again', async () => {
    const { client, calls } = scripted();
    const driver = sqsQueueDriver({ client });
    await driver.reserve(['celery'], { max: 1, waitMs: 0 });
    await driver.close();
    const change = calls.find((c) => c.name === 'ChangeMessageVisibilityBatch');
    expect(change?.input['Entries']).toEqual([{ Id: '0', ReceiptHandle: 'rh-1', VisibilityTimeout: 0 }]);
  });

  it('without a redrive policy a malformed message is left in the queue (error log), a rejected one deleted (warn)', async () => {
    const malformed = scripted({ body: 'garbage' });
    const logger = recordingLogger();
    const d1 = sqsQueueDriver({ client: malformed.client, logger });
    const [lease] = await d1.reserve(['celery'], { max: 1, waitMs: 0 });
    expect(lease?.payload).toBe('garbage');
    if (!lease) return;
    await d1.reject(lease, { kind: 'malformed', detail: 'not JSON' });
    await d1.close();
    expect(names(malformed.calls)).not.toContain('DeleteMessageBatch');
    expect(names(malformed.calls)).not.toContain('ChangeMessageVisibilityBatch');
    expect(logger.lines.some((l) => l.level === 'error' && /redrive policy/.test(l.msg))).toBe(true);

    const rejected = scripted();
    const d2 = sqsQueueDriver({ client: rejected.client, logger });
    const [l2] = await d2.reserve(['celery'], { max: 1, waitMs: 0 });
    if (!l2) throw new Error('nothing reserved');
    await d2.reject(l2, { kind: 'rejected', detail: 'no' });
    expect(rejected.calls.find((c) => c.name === 'DeleteMessageBatch')?.input['Entries']).toEqual([{ Id: '0', ReceiptHandle: 'rh-1' }]);
    expect(logger.lines.some((l) => l.level === 'warn' && /deleted/.test(l.msg))).toBe(true);
    await d2.close();
  });

  it('with a redrive policy a rejected message is sent (same body) to the dead-letter queue, then deleted', async () => {
    const { client, calls } = scripted({ redrive: true });
    const driver = sqsQueueDriver({ client });
    const [lease] = await driver.reserve(['celery'], { max: 1, waitMs: 0 });
    if (!lease) throw new Error('nothing reserved');
    await driver.reject(lease, { kind: 'rejected', detail: 'no' });
    const send = calls.find((c) => c.name === 'SendMessage');
    expect(send?.input).toEqual({ QueueUrl: 'http://sqs/1/dead', MessageBody: encodeBody(envelope, true) });
    expect(names(calls).indexOf('SendMessage')).toBeLessThan(names(calls).indexOf('DeleteMessageBatch'));
    await driver.close();
  });

  it('an extension SQS refuses (12 h cap) is logged once per message, not thrown', async () => {
    const { client, calls } = scripted({ refuseExtension: true });
    const logger = recordingLogger();
    const driver = sqsQueueDriver({ client, logger });
    const [lease] = await driver.reserve(['celery'], { max: 1, waitMs: 0 });
    if (!lease) throw new Error('nothing reserved');
    await driver.extendLease(lease);
    await driver.extendLease(lease);
    expect(calls.filter((c) => c.name === 'ChangeMessageVisibilityBatch')).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'warn' && /12 hours/.test(l.msg))).toHaveLength(1);
    await driver.ack(lease);
    await driver.close();
  });
});
