/** kombu's SQS queue naming (`Channel.entity_name(queue_name_prefix + queue)`). */

/** Python's `string.punctuation` without `-`, `_` and `.` (each of these becomes `_`). */
const REPLACED = /[!"#$%&'()*+,/:;<=>?@[\\\]^`{|}~]/g;

/**
 * The SQS name of kombu queue `queue`: `prefix + queue` with every `.` turned into `-` and every other ASCII
 * punctuation character except `-` and `_` into `_`; a trailing `.fifo` is kept.
 *
 * ```ts
 * sqsQueueName('my.dotted.queue', 'cap-'); // 'cap-my-dotted-queue'
 * sqsQueueName('jobs.fifo');               // 'jobs.fifo'
 * ```
 */
export function sqsQueueName(queue: string, prefix = ''): string {
  const name = prefix + queue;
  const fifo = name.endsWith('.fifo');
  const base = fifo ? name.slice(0, -'.fifo'.length) : name;
  return base.replace(REPLACED, '_').replaceAll('.', '-') + (fifo ? '.fifo' : '');
}

/** Whether a kombu queue is a FIFO queue (its name ends in `.fifo`). */
export function isFifoQueue(queue: string): boolean {
  return queue.endsWith('.fifo');
}
