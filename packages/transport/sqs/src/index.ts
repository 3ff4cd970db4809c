/**
 * `@q/transport-sqs`: kombu's Amazon SQS transport for q (wire-compatible with Celery): queue names, message bodies
 * and queue attributes as kombu's, plus batching, lease renewal and dead-letter queues.
 */
export { sqsTransport } from './sqs-transport.js';
export type { SqsTransportOptions } from './sqs-transport.js';
export { SQS_DRIVER_CAPABILITIES, SqsQueueDriver, sqsQueueDriver } from './sqs-queue-driver.js';
export { DEFAULT_URL, DEFAULT_VISIBILITY_TIMEOUT_MS, maskSqsUrl } from './options.js';
/** `ResolvedSqsOptions` is the type of `SqsQueueDriver.options`. */
export type { ResolvedSqsOptions, SqsCredentials, SqsPredefinedQueue, SqsQueueDriverOptions } from './options.js';
export { sqsQueueName } from './queue-name.js';
export { SQS_SCHEMES, qPlugin } from './plugin.js';
