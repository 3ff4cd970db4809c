/**
 * Sending a task: `applyAsync` options → a {@link TaskMessage} (countdown/eta → ISO `eta`, expires → ISO
 * `expires` + AMQP `expiration` ms, link/linkError → embed callbacks/errbacks, time limits → `timelimit`),
 * then route, publish, and hand back an {@link AsyncResult}. Shared by `Task.applyAsync` and `app.sendTask`.
 */
import type { ResolvedConfig } from '../config/options.js';
import type { PublishOptions } from './producer.js';
import type { ResolvedRoute, RouteInput } from '../routing/routing.js';
import { ConfigError } from '../errors/q-error.js';
import { newTaskMessage } from '../protocol/encode-task.js';
import { uuid } from '../protocol/ids.js';
import type { TaskMessage } from '../protocol/task-message.js';
import { parseIsoDate, toIsoWithOffset } from '../protocol/time.js';
import type { AsyncResult } from '../result/async-result.js';
import { toWireList } from '../task/signature.js';
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


function seconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `applyAsync options.${what}: expected a number of seconds`);
  }
  return value;
}

function toDate(value: Date | string, what: string, timezone: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ConfigError('Q_ERR_CONFIG_INVALID', `applyAsync options.${what}: invalid Date`);
    return value;
  }
  try {
    return parseIsoDate(value, timezone);
  } catch (err) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `applyAsync options.${what}: expected a Date or an ISO-8601 string`, { cause: err });
  }
}

/** Builds the message of one call. `now` is injectable for tests. */
export function buildTaskMessage(
  host: Pick<SendHost, 'conf' | 'oid' | 'origin'>,
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: ApplyOptions,
  defaults: MessageDefaults,
  route: ResolvedRoute,
  now: Date = new Date(),
): TaskMessage {
  const id = options.taskId ?? uuid();
  const tz = host.conf.timezone;
  let eta: string | null = null;
  // As Celery (`if countdown:`), a countdown of 0 means "now": no eta.
  if (options.countdown !== undefined && options.countdown !== 0) eta = toIsoWithOffset(new Date(now.getTime() + seconds(options.countdown, 'countdown') * 1000));
  else if (options.eta !== undefined) eta = toIsoWithOffset(toDate(options.eta, 'eta', tz));

  let expires: string | null = null;
  let expiration: string | null = null;
  const exp = options.expires ?? defaults.expires ?? undefined;
  if (exp !== undefined) {
    const at = typeof exp === 'number' ? new Date(now.getTime() + seconds(exp, 'expires') * 1000) : toDate(exp, 'expires', tz);
    const ttlS = typeof exp === 'number' ? exp : (at.getTime() - now.getTime()) / 1000;
    expires = toIsoWithOffset(at);
    expiration = String(Math.trunc(Math.max(0, ttlS) * 1000));
  }

  return newTaskMessage({
    id,
    name,
    args: [...args],
    kwargs: { ...kwargs },
    embed: { callbacks: toWireList(options.link), errbacks: toWireList(options.linkError), chain: null, chord: null },
    shadow: options.shadow ?? null,
    eta,
    expires,
    groupId: options.groupId ?? null,
    groupIndex: options.groupIndex ?? null,
    retries: 0,
    timeLimit: [options.timeLimit ?? null, options.softTimeLimit ?? null],
    rootId: options.rootId ?? id,
    parentId: options.parentId ?? null,
    origin: host.origin,
    ignoreResult: options.ignoreResult ?? defaults.ignoreResult,
    extraHeaders: { ...(options.headers ?? {}) },
    replyTo: options.replyTo ?? host.oid,
    correlationId: id,
    priority: route.priority ?? 0,
    deliveryMode: host.conf.task.deliveryMode === 'persistent' ? 2 : 1,
    expiration,
  });
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
  const routeInput: RouteInput = {};
  if (options.queue !== undefined) routeInput.queue = options.queue;
  if (options.exchange !== undefined) routeInput.exchange = options.exchange;
  if (options.routingKey !== undefined) routeInput.routingKey = options.routingKey;
  if (options.priority !== undefined) routeInput.priority = options.priority;
  const route = host.route(name, routeInput);
  const message = buildTaskMessage(host, name, args, kwargs, options, defaults, route);
  const publish: PublishOptions = { serializer: options.serializer ?? defaults.serializer };
  if (options.compression !== undefined) publish.compression = options.compression;
  if (options.retry !== undefined) publish.retry = options.retry;
  if (options.retryPolicy !== undefined) publish.retryPolicy = options.retryPolicy;
  // Celery's `if not ignore_result: backend.on_task_call(...)`: the rpc backend's reply queue exists before the task.
  if (!message.ignoreResult && host.onTaskCall) await host.onTaskCall(message.id);
  await host.publish(message, route, publish);
  return host.asyncResult<T>(message.id);
}
