/** What a command returns to send no reply at all (Celery's `shutdown`, which raises `WorkerShutdown` instead). */
export const NO_REPLY: unique symbol = Symbol.for('q.control.noReply');
