/** kombu's entity_name(prefix + queue), against the captured vectors' queue URLs. */
import { readVector } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { isFifoQueue, sqsQueueName } from './queue-name.js';

describe('sqsQueueName', () => {
  it('matches the names kombu gave the captured queues', () => {
    const urlName = (v: string): string => readVector<{ queue_url: string }>(v).queue_url.split('/').pop() ?? '';
    expect(sqsQueueName('celery', 'cap-')).toBe(urlName('sqs-message-celery.json'));
    expect(sqsQueueName('my.dotted.queue', 'cap-')).toBe(urlName('sqs-message-dotted-queue.json'));
    expect(sqsQueueName('my.dotted.queue', 'cap-')).toBe('cap-my-dotted-queue');
  });

  it('turns . into -, other punctuation except - and _ into _, keeps a .fifo suffix', () => {
    expect(sqsQueueName('a:b/c@d*e', 'p.')).toBe('p-a_b_c_d_e');
    expect(sqsQueueName('keep-this_too')).toBe('keep-this_too');
    expect(sqsQueueName('jobs.fifo')).toBe('jobs.fifo');
    expect(sqsQueueName('my.jobs.fifo', 'x.')).toBe('x-my-jobs.fifo');
    expect(sqsQueueName('ünïcode')).toBe('ünïcode');
    expect(isFifoQueue('jobs.fifo')).toBe(true);
    expect(isFifoQueue('jobs')).toBe(false);
  });
});
