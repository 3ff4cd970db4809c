/**
 * Sending a task: route the call, build its {@link TaskMessage} (`buildTaskMessage`, the one builder the
 * worker's callbacks and retries use too), publish it, and hand back an {@link AsyncResult}. Shared by
 * `Task.applyAsync` and `app.sendTask`.
 */
import type { ResolvedConfig } from '../config/options.js';
import type { PublishOptions } from './producer.js';
import type { ResolvedRoute, RouteInput } from '../routing/routing.js';
import type { TaskMessage } from '../protocol/task-message.js';
import type { AsyncResult } from '../result/async-result.js';
import { buildTaskMessage } from './build-task-message.js';
import type { MessageDefaults } from '../task/task-options.js';
import type { ApplyOptions } from '../task/types.js';

/** What sending needs from the app. */
export interface SendHost {
  readonly conf: ResolvedConfig;
  /** Reply-to oid of this client. */
  readonly oid: string;
  /** Node name of this client (`gen<pid>@<host>`). */
  readonly origin: string;
  route(taskName: string, options?: RouteInput): ResolvedRoute;
  publish(message: TaskMessage, route: ResolvedRoute, options?: PublishOptions): Promise<void>;
  asyncResult<T>(id: string): AsyncResult<T>;
  /** Awaited before publishing a task that expects a result (the result backend's `onTaskCall`). */
  onTaskCall?(taskId: string): Promise<void>;
}

/** Routes, builds and publishes one call; resolves once the broker accepted the message. */
export async function sendTaskMessage<T>(
  host: SendHost,
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: ApplyOptions,
  defaults: MessageDefaults,
): Promise<AsyncResult<T>> {
  // The call's `queue`, `exchange`, `routingKey` and `priority` are its routing options.
  const route = host.route(name, options);
  const message = buildTaskMessage({
    name,
    args,
    kwargs,
    options,
    context: {
      origin: host.origin,
      replyTo: host.oid,
      priority: route.priority,
      defaults,
      deliveryMode: host.conf.task.deliveryMode,
      timezone: host.conf.timezone,
      now: new Date(),
    },
  });
  const publish: PublishOptions = { serializer: options.serializer ?? defaults.serializer };
  if (options.compression !== undefined) publish.compression = options.compression;
  if (options.retry !== undefined) publish.retry = options.retry;
  if (options.retryPolicy !== undefined) publish.retryPolicy = options.retryPolicy;
  // Celery's `if not ignore_result: backend.on_task_call(...)`: the rpc backend's reply queue exists before the task.
  if (!message.ignoreResult && host.onTaskCall) await host.onTaskCall(message.id);
  await host.publish(message, route, publish);
  return host.asyncResult<T>(message.id);
}
