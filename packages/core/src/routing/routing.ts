/**
 * Routing: which queue, exchange and routing key a task message goes to (Celery's `Router` +
 * `amqp.send_task_message`). Precedence, as Celery documents it: options given to `applyAsync`, then the
 * task's own options (`queue`, `priority`), then `task.routes` (exact name first, then globs in declaration
 * order), then the default queue.
 *
 * The anonymous-exchange rule (spec §1.9): a message for a queue whose exchange is `direct` is published to the
 * default exchange `""` with routing key = queue name, unless both an exchange and a routing key were given.
 */
import type { BindingDeclaration, ExchangeDeclaration, ExchangeType, QueueDeclaration } from '../contracts/transport.js';
import { ConfigError } from '../errors/q-error.js';
import type { ResolvedConfig, RouteOptions } from '../config/options.js';

/** Where one message goes. */
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
}

/** The routing fields of a call: `applyAsync` options or a task's own options. */
export interface RouteInput {
  queue?: string;
  exchange?: string;
  routingKey?: string;
  priority?: number;
}

/** A queue with its exchange and binding, as declared before the first publish. */
export interface QueueTopology {
  queue: QueueDeclaration;
  exchange: ExchangeDeclaration;
  binding: BindingDeclaration;
}

/** Compiles a task-name glob (`tasks.*`, `feed.?`) into a regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The `task.routes` entry for a task: an exact name wins over globs; globs match in declaration order. */
export function matchRoute(routes: Readonly<Record<string, RouteOptions>>, taskName: string): RouteOptions | null {
  const exact = Object.hasOwn(routes, taskName) ? routes[taskName] : undefined;
  if (exact) return exact;
  for (const [pattern, route] of Object.entries(routes)) {
    if (/[*?]/.test(pattern) && globToRegExp(pattern).test(taskName)) return route;
  }
  return null;
}

/** The declaration of a queue by name: a declared queue, or (with `createMissingQueues`) a direct one. */
export function queueTopology(conf: ResolvedConfig, name: string): QueueTopology {
  const declared = conf.task.queues.find((q) => q.name === name);
  if (!declared && !conf.task.createMissingQueues) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `queue "${name}" is not declared in task.queues and task.createMissingQueues is false`);
  }
  const isDefault = name === conf.task.defaultQueue;
  const exchange = declared?.exchange ?? (isDefault ? conf.task.defaultExchange : name);
  const routingKey = declared?.routingKey ?? (isDefault ? conf.task.defaultRoutingKey : name);
  const exchangeType = declared?.exchangeType ?? 'direct';
  const maxPriority = declared?.maxPriority ?? conf.task.queueMaxPriority;
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

/**
 * Resolves the route of one call. `call` are the `applyAsync` options, `task` the task's own options
 * (absent for `sendTask` of an unknown task).
 */
export function resolveRoute(conf: ResolvedConfig, taskName: string, call: RouteInput = {}, task: RouteInput = {}): ResolvedRoute {
  // Calls without routing options of their own resolve the same way every time: cache them per config.
  if (call.queue != null || call.exchange != null || call.routingKey != null || call.priority != null) {
    return computeRoute(conf, taskName, call, task);
  }
  let cache = ROUTE_CACHE.get(conf.task);
  if (!cache) ROUTE_CACHE.set(conf.task, (cache = new Map()));
  // `??` treats null like undefined, and so does JSON (both become null): the key is exact.
  const key = JSON.stringify([taskName, task.queue, task.exchange, task.routingKey, task.priority]);
  let route = cache.get(key);
  if (!route) {
    route = computeRoute(conf, taskName, call, task);
    if (cache.size >= ROUTE_CACHE_SIZE) cache.clear();
    cache.set(key, route);
  }
  return { ...route };
}

/** Resolved routes by `conf.task` (the resolved config is read-only), then by task name and task options. */
const ROUTE_CACHE = new WeakMap<object, Map<string, ResolvedRoute>>();
/** Bound on cached routes per config (`sendTask` may name arbitrarily many tasks). */
const ROUTE_CACHE_SIZE = 1024;

function computeRoute(conf: ResolvedConfig, taskName: string, call: RouteInput, task: RouteInput): ResolvedRoute {
  const route = matchRoute(conf.task.routes, taskName) ?? {};
  const pick = <K extends keyof RouteInput>(key: K): RouteInput[K] => call[key] ?? task[key] ?? route[key];
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
  const priority = pick('priority') ?? conf.task.defaultPriority;
  return { queue: queueName, exchange, routingKey, exchangeType, priority };
}
