/**
 * The app of the dead-letter test: the queue `work` dead-letters what is rejected to the exchange `dlx` with the
 * routing key `dead` (RabbitMQ's `x-dead-letter-exchange`). It registers one task; anything else sent to `work` is
 * an unknown task, which the worker must reject without requeue.
 *
 *   q -A e2e/apps/dlx-app.ts -b amqp://…/<vhost> --result-backend file:///tmp/… worker
 */
import { createApp } from '@q/core';

/** `task.queues` of both the worker and the test's client. */
export const DLX_QUEUES = [{ name: 'work', arguments: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' } }];

export const app = createApp({ name: 'dlx', task: { queues: DLX_QUEUES, defaultQueue: 'work' } });

app.task('dlx.known', () => 'known');
