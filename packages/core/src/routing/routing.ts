/**
 * Routing: which queue, exchange and routing key a task message goes to, and the publish options its route sets
 * (Celery's `Router.route` + `amqp.send_task_message`). Precedence, as Celery's: options given to `applyAsync`,
 * then the task's own options, then `task.routes` (see `config/prepare-routes.ts`: maps, `[pattern, route]` pairs, router
 * functions, tried in order), then the default queue and `task.defaultPriority`. With `task.inheritParentPriority`
 * a task sent from inside a running task takes that task's priority before the default.
 *
 * The anonymous-exchange rule (spec §1.9): a message for a queue whose exchange is `direct` is published to the
 * default exchange `""` with routing key = queue name, unless both an exchange and a routing key were given.
 *
 * Queues are bound as Celery's `app.amqp.queues` binds them ({@link queueTopology}).
 */
import type { BindingDeclaration, ExchangeDeclaration, ExchangeType, QueueDeclaration } from '../contracts/transport.js';
import { ConfigError } from '../errors/q-error.js';
import type { ResolvedConfig, RouteOptions } from '../config/options.js';
import type { RoutedTask, RouterCallOptions } from '../config/resolved-config.js';
import { lookupRoute } from './lookup-route.js';

/** The publish options a route (or the task's own options) may set besides where the message goes. */
export type RoutePublishOptions = Omit<RouteOptions, 'queue' | 'exchange' | 'routingKey' | 'priority'>;

/** Where one message goes, and the publish options of its route. */
export interface ResolvedRoute {
  /** The destination queue (declared before publishing). */
  queue: string;
  /** Exchange to publish to (`""` = default exchange). */
  exchange: string;
  routingKey: string;
  /** The queue's exchange type. */
  exchangeType: ExchangeType;
  /** Message priority, or `null` for none (0 on the wire). */
  priority: number | null;
  /**
   * What the route sets besides routing (`serializer`, `expires`, `timeLimit`, `headers`, …), the task's own
   * value winning where it has one; the call's options win over these ({@link withRouteOptions}).
   */
  options: Readonly<RoutePublishOptions>;
}

/** The routing fields of a call (`applyAsync` options) or of a task's own options. */
export interface RouteInput extends Omit<RouteOptions, 'expires'> {
  /** Seconds from now, or an absolute time (a call's `expires`). */
  expires?: number | Date | string;
}

/** What a router function is told besides the task name: the call's arguments and the registered task. */
export interface RouteContext {
  readonly args?: readonly unknown[];
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** The registered task, `undefined` for a task this app does not know. */
  readonly task?: RoutedTask | undefined;
  /** The priority of the running task that sends this one (`task.inheritParentPriority`), if any. */
  readonly parentPriority?: number | null;
}

/** A queue with its exchange and binding, as declared before the first publish. */
export interface QueueTopology {
  queue: QueueDeclaration;
  exchange: ExchangeDeclaration;
  binding: BindingDeclaration;
}

/**
 * The declaration of queue `name`, bound as Celery's `app.amqp.queues` binds it:
 * - a `task.queues` entry as resolved (no exchange → `task.defaultExchange` of `task.defaultExchangeType`, no
 *   routing key → `task.defaultRoutingKey`);
 * - without `task.queues`, the default queue on `task.defaultExchange` (`task.defaultExchangeType`) with
 *   `task.defaultRoutingKey`;
 * - any other queue (the default one too when `task.queues` leaves it out) is created, with
 *   `task.createMissingQueues`, on a direct exchange named after it, bound with its name.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a missing queue when `task.createMissingQueues` is false.
 */
export function queueTopology(conf: ResolvedConfig, name: string): QueueTopology {
  const t = conf.task;
  const declared = t.queues.find((q) => q.name === name);
  const implicitDefault = !declared && t.queues.length === 0 && name === t.defaultQueue;
  if (!declared && !implicitDefault && !t.createMissingQueues) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `queue "${name}" is not declared in task.queues and task.createMissingQueues is false`);
  }
  const exchange = declared?.exchange ?? (implicitDefault ? t.defaultExchange : name);
  const routingKey = declared?.routingKey ?? (implicitDefault ? t.defaultRoutingKey : name);
  const exchangeType = declared?.exchangeType ?? (implicitDefault ? t.defaultExchangeType : 'direct');
  const maxPriority = declared?.maxPriority ?? t.queueMaxPriority;
  const args: Record<string, unknown> = { ...(declared?.arguments ?? {}) };
  if (maxPriority !== null) args['x-max-priority'] = maxPriority;
  const queue: QueueDeclaration = {
    name,
    durable: declared?.durable ?? true,
    exclusive: false,
    autoDelete: declared?.autoDelete ?? false,
  };
  if (Object.keys(args).length > 0) queue.arguments = args;
  if (maxPriority !== null) queue.maxPriority = maxPriority;
  return {
    queue,
    exchange: { name: exchange, type: exchangeType, durable: true, autoDelete: false },
    binding: { queue: name, exchange, routingKey },
  };
}

const ROUTING_KEYS = ['queue', 'exchange', 'routingKey', 'priority'] as const;
const PUBLISH_KEYS = ['serializer', 'compression', 'expires', 'timeLimit', 'softTimeLimit', 'headers', 'retry', 'retryPolicy'] as const;

/**
 * Resolves the route of one call. `call` are the `applyAsync` options, `task` the task's own options (absent for
 * `sendTask` of an unknown task), `context` what router functions and `task.inheritParentPriority` need.
 */
export function resolveRoute(conf: ResolvedConfig, taskName: string, call: RouteInput = {}, task: RouteInput = {}, context: RouteContext = {}): ResolvedRoute {
  const parentPriority = conf.task.inheritParentPriority ? (context.parentPriority ?? null) : null;
  // Calls without routing options of their own resolve the same way every time (when no router function decides):
  // cache them per config.
  if (ROUTING_KEYS.some((k) => call[k] != null)) return computeRoute(conf, taskName, call, task, context, parentPriority).route;
  let cache = ROUTE_CACHE.get(conf.task);
  if (!cache) ROUTE_CACHE.set(conf.task, (cache = new Map()));
  // `??` treats null like undefined, and so does JSON (both become null): the key is exact.
  const key = JSON.stringify([taskName, task, parentPriority]);
  const cached = cache.get(key);
  if (cached) return copy(cached);
  const { route, cacheable } = computeRoute(conf, taskName, call, task, context, parentPriority);
  if (cacheable) {
    if (cache.size >= ROUTE_CACHE_SIZE) cache.clear();
    cache.set(key, copy(route));
  }
  return route;
}

/**
 * `options` with the publish options of `route` filled in where the call has none (`headers` merged key by key,
 * the call's winning): what the message is built from.
 */
export function withRouteOptions<O extends Omit<RouteInput, 'queue' | 'exchange' | 'routingKey' | 'priority'>>(options: O, route: ResolvedRoute): O {
  const out: Record<string, unknown> = { ...options };
  for (const key of PUBLISH_KEYS) {
    const value = route.options[key];
    if (value === undefined) continue;
    if (key === 'headers') out[key] = { ...(value as Record<string, unknown>), ...(options.headers ?? {}) };
    else out[key] ??= value;
  }
  return out as O;
}

/** Resolved routes by `conf.task` (the resolved config is read-only), then by task name and task options. */
const ROUTE_CACHE = new WeakMap<object, Map<string, ResolvedRoute>>();
/** Bound on cached routes per config (`sendTask` may name arbitrarily many tasks). */
const ROUTE_CACHE_SIZE = 1024;

function copy(route: ResolvedRoute): ResolvedRoute {
  return { ...route, options: { ...route.options } };
}

function computeRoute(
  conf: ResolvedConfig,
  taskName: string,
  call: RouteInput,
  task: RouteInput,
  context: RouteContext,
  parentPriority: number | null,
): { route: ResolvedRoute; cacheable: boolean } {
  const found = lookupRoute(conf.task.routes, {
    name: taskName,
    args: context.args ?? [],
    kwargs: context.kwargs ?? {},
    options: call as RouterCallOptions,
    task: context.task,
  });
  const route = found.route ?? {};
  const pick = <K extends (typeof ROUTING_KEYS)[number]>(key: K): RouteInput[K] => call[key] ?? task[key] ?? route[key];
  const queueName = pick('queue') ?? conf.task.defaultQueue;
  const topology = queueTopology(conf, queueName);
  const exchangeType = topology.exchange.type;
  let exchange = pick('exchange');
  let routingKey = pick('routingKey');
  if ((!exchange || !routingKey) && exchangeType === 'direct') {
    exchange = '';
    routingKey = queueName;
  } else {
    exchange ??= topology.exchange.name;
    routingKey ??= topology.binding.routingKey;
  }
  const priority = pick('priority') ?? parentPriority ?? conf.task.defaultPriority;
  // The route's publish options, the task's own value winning where both have one.
  const options: Record<string, unknown> = {};
  for (const key of PUBLISH_KEYS) {
    if (route[key] !== undefined) options[key] = task[key] ?? route[key];
  }
  return { route: { queue: queueName, exchange, routingKey, exchangeType, priority, options }, cacheable: found.cacheable };
}
