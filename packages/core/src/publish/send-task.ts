/**
 * Sending a call: route it, build its {@link TaskMessage} (`buildTaskMessage`, the one builder the worker's
 * callbacks and retries use too) and publish it. {@link publishCall} sends one call with given links (the canvas
 * sends every task of a workflow through it); {@link sendTaskMessage} is `Task.applyAsync` and `app.sendTask`:
 * it links the call to the task running now, if any (its `parent_id`, `root_id`, and its `children`), and hands
 * back an {@link AsyncResult}.
 */
import type { ResolvedConfig } from '../config/options.js';
import type { PublishOptions } from './producer.js';
import { withRouteOptions, type ResolvedRoute, type RouteInput } from '../routing/routing.js';
import type { TaskMessage, WireSignature } from '../protocol/task-message.js';
import type { AsyncResult } from '../result/async-result.js';
import { buildTaskMessage, type TaskCall } from './build-task-message.js';
import { currentTask } from '../task/current-task.js';
import type { MessageDefaults } from '../task/task-options.js';
import type { ApplyOptions } from '../task/types.js';

/** What sending needs from the app. */
export interface SendHost {
  readonly conf: ResolvedConfig;
  /** Reply-to oid of this client. */
  readonly oid: string;
  /** Node name of this client (`gen<pid>@<host>`). */
  readonly origin: string;
  /** The route of a call (router functions see its `args` and `kwargs`). */
  route(taskName: string, options?: RouteInput, args?: readonly unknown[], kwargs?: Readonly<Record<string, unknown>>): ResolvedRoute;
  publish(message: TaskMessage, route: ResolvedRoute, options?: PublishOptions): Promise<void>;
  asyncResult<T>(id: string): AsyncResult<T>;
  /** Awaited before publishing a task that expects a result (the result backend's `onTaskCall`). */
  onTaskCall?(taskId: string): Promise<void>;
}

/** How a call is linked to its workflow. */
export interface CallLinks {
  /** The task that sends it (`parent_id`). */
  readonly parentId?: string | null;
  /** The workflow's root (`root_id`); without it the message is its own root. */
  readonly rootId?: string | null;
  /** The chain steps to run after it (reversed stack). */
  readonly chain?: readonly WireSignature[] | null;
}

/**
 * The publish options of a call: its own, else its route's (`task.routes` or the task's own), else the task's
 * serializer.
 */
export function routePublishOptions(publish: PublishOptions, route: ResolvedRoute, defaults: Pick<MessageDefaults, 'serializer'>): PublishOptions {
  const out: PublishOptions = { ...publish, serializer: publish.serializer ?? route.options.serializer ?? defaults.serializer };
  const { compression, retry, retryPolicy } = route.options;
  if (out.compression === undefined && compression !== undefined) out.compression = compression;
  if (out.retry === undefined && retry !== undefined) out.retry = retry;
  if (out.retryPolicy === undefined && retryPolicy !== undefined) out.retryPolicy = retryPolicy;
  return out;
}

/**
 * Routes, builds and publishes one call; resolves to its message once the broker accepted it. The route's publish
 * options (`task.routes`, the task's own) fill what the call leaves out.
 */
export async function publishCall(
  host: SendHost,
  call: TaskCall,
  links: CallLinks,
  defaults: MessageDefaults,
  publish: PublishOptions,
): Promise<TaskMessage> {
  // The call's `queue`, `exchange`, `routingKey` and `priority` are its routing options.
  const route = host.route(call.name, call.options, call.args, call.kwargs);
  const message = buildTaskMessage({
    ...call,
    options: withRouteOptions(call.options, route),
    context: {
      origin: host.origin,
      replyTo: host.oid,
      parentId: links.parentId ?? null,
      rootId: links.rootId ?? null,
      chain: links.chain ?? null,
      priority: route.priority,
      defaults,
      deliveryMode: host.conf.task.deliveryMode,
      timezone: host.conf.timezone,
      now: new Date(),
    },
  });
  // Celery's `if not ignore_result: backend.on_task_call(...)`: the rpc backend's reply queue exists before the task.
  if (!message.ignoreResult && host.onTaskCall) await host.onTaskCall(message.id);
  await host.publish(message, route, routePublishOptions(publish, route, defaults));
  return message;
}

/** `Task.applyAsync` / `app.sendTask`: one call, linked to the running task (if any); see the module comment. */
export async function sendTaskMessage<T>(
  host: SendHost,
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: ApplyOptions,
  defaults: MessageDefaults,
): Promise<AsyncResult<T>> {
  const publish: PublishOptions = {};
  if (options.serializer !== undefined) publish.serializer = options.serializer;
  if (options.compression !== undefined) publish.compression = options.compression;
  if (options.retry !== undefined) publish.retry = options.retry;
  if (options.retryPolicy !== undefined) publish.retryPolicy = options.retryPolicy;
  const running = currentTask();
  const links: CallLinks = running ? { parentId: running.id, rootId: running.rootId } : {};
  const message = await publishCall(host, { name, args, kwargs, options }, links, defaults, publish);
  running?.children.push([[message.id, null], null]);
  return host.asyncResult<T>(message.id);
}
