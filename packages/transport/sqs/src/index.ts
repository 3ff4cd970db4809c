/**
 * `@q/transport-sqs`: kombu's Amazon SQS transport for q (wire-compatible with Celery).
 */
export {};
