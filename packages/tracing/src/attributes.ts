/**
 * Attribute names the plugin sets. Messaging attributes follow the OpenTelemetry messaging semantic conventions
 * (1.27+: `messaging.operation.type`, `messaging.operation.name`); Celery-specific ones use the `celery.` prefix of
 * Python's `opentelemetry-instrumentation-celery`, so q and Python spans read alike.
 */

/** `messaging.system`: the plugin's `messagingSystem` option (`'q'` by default). */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
/** `messaging.operation.type`: `send` (publish spans) or `process` (run spans). */
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
/** `messaging.operation.name`: `publish` or `run`. */
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
/** `messaging.destination.name`: the routing key at publish, replaced by the queue it was routed to once published. */
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
/** `messaging.message.id`: the task id. */
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
/** `messaging.message.conversation_id`: the workflow's root id (wire header `root_id`), on publish spans. */
export const ATTR_MESSAGING_CONVERSATION_ID = 'messaging.message.conversation_id';
/** The exchange a task was published to (`''`: the default exchange). */
export const ATTR_CELERY_EXCHANGE = 'celery.exchange';
/** The routing key a task was published with. */
export const ATTR_CELERY_ROUTING_KEY = 'celery.routing_key';
/** The task's registered name. */
export const ATTR_CELERY_TASK_NAME = 'celery.task_name';
/** `apply_async` (publish spans) or `run` (run spans), as Python's instrumentation names them. */
export const ATTR_CELERY_ACTION = 'celery.action';
/** The task's parent id (wire header `parent_id`), on publish spans of tasks sent from a task. */
export const ATTR_CELERY_PARENT_ID = 'celery.parent_id';
/** Retries so far (wire header `retries`), on publish spans of retries. */
export const ATTR_CELERY_RETRIES = 'celery.retries';
/** The final state of a run (`SUCCESS`, `FAILURE`, `RETRY`, `REVOKED`, `REJECTED`, `IGNORED`). */
export const ATTR_CELERY_STATE = 'celery.state';
/** The run's duration as the worker measured it, in ms (successes). */
export const ATTR_CELERY_RUNTIME_MS = 'celery.runtime_ms';
/** The countdown of a retry, in ms. */
export const ATTR_CELERY_RETRY_COUNTDOWN_MS = 'celery.retry.countdown_ms';
/** The retry's reason (its error's message). */
export const ATTR_CELERY_RETRY_REASON = 'celery.retry.reason';
/** `true` on a revoked task's run span. */
export const ATTR_CELERY_REVOKED = 'celery.revoked';
/** `true` when a revoked task had expired. */
export const ATTR_CELERY_REVOKED_EXPIRED = 'celery.revoked.expired';
/** `true` when a revoked task was terminated while running. */
export const ATTR_CELERY_REVOKED_TERMINATED = 'celery.revoked.terminated';
