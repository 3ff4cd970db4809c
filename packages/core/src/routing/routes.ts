/**
 * `task.routes`, as Celery's `task_routes` (`celery/app/routes.py`: `prepare`, `MapRoute`, `Router.lookup_route`).
 * The setting is one router or a list of routers, tried in order until one returns a route:
 *
 * - a map `{ 'feed.import': {...}, 'feed.*': 'feeds' }`: exact task names first, then glob keys (`*`, `?`) in
 *   declaration order (`MapRoute`);
 * - a list of `[pattern, route]` pairs, where a pattern is a glob or a `RegExp` matched from the start of the name
 *   (Celery's `re.compile` keys, `regex.match(name)`); exact names still win over patterns;
 * - a router function `(name, args, kwargs, options, task) => route | null | undefined` (synchronous, as Celery's).
 *
 * A route is {@link RouteOptions} or a queue name (the string shorthand). In a list, `[pattern, route]` pairs that
 * follow each other form one map (Celery needs them wrapped in a list of their own; q accepts both).
 *
 * {@link prepareRoutes} validates the setting once (a {@link ConfigError} naming the path) into
 * {@link PreparedRouter}s; {@link lookupRoute} runs them for one call.
 */
import type { RetryPolicy, RouteOptions } from '../config/resolved-config.js';
import { invalid, isPlainObject, num, record, shape, str, bool, type Check } from '../config/config-schema.js';
import type { ResolvedTaskOptions } from '../task/task-options.js';

/** A route: where and how a task is sent, or just a queue name. */
export type Route = RouteOptions | string;

/** A task-name pattern: a glob (`feed.*`, `?` = one character) or a `RegExp` matched at the start of the name. */
export type RoutePattern = string | RegExp;

/** A map router: task name or glob → route. Exact names win; globs are tried in declaration order. */
export type RouteMap = Readonly<Record<string, Route>>;

/** A map router as ordered `[pattern, route]` pairs: the form that takes `RegExp` patterns. */
export type RoutePairs = readonly (readonly [RoutePattern, Route])[];

/** The registered task a router function is asked about (a `Task`: its `name` and resolved `options`). */
export interface RoutedTask {
  readonly name: string;
  /** Its options with the `task.*` defaults applied. */
  readonly options: ResolvedTaskOptions;
}

/** What a call asked for, as a router function sees it (the `applyAsync` options). */
export type RouterCallOptions = Readonly<Record<string, unknown>>;

/**
 * A router function (Celery's `router(name, args, kwargs, options, task=None)`): returns a route, or `null` /
 * `undefined` to let the next router decide. Synchronous. `task` is the registered task, `undefined` for a
 * `sendTask` of a task this app does not know.
 * @example
 * const byTenant: Router = (name, args, kwargs) => (kwargs['tenant'] === 'big' ? { queue: 'big', priority: 5 } : null);
 */
export type Router = (
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: RouterCallOptions,
  task: RoutedTask | undefined,
) => Route | null | undefined;

/** One router: a map, `[pattern, route]` pairs, or a function. */
export type RouteSpec = RouteMap | RoutePairs | Router;

/** The `task.routes` setting (Celery `task_routes`): one router, or a list of routers and pairs tried in order. */
export type Routes = RouteSpec | readonly (RouteSpec | readonly [RoutePattern, Route])[];

/** A validated router. */
export type PreparedRouter =
  | {
      readonly kind: 'map';
      /** Exact task names. */
      readonly exact: ReadonlyMap<string, Readonly<RouteOptions>>;
      /** Globs and regular expressions, anchored at the start, in declaration order. */
      readonly patterns: readonly (readonly [RegExp, Readonly<RouteOptions>])[];
    }
  | {
      readonly kind: 'function';
      readonly router: Router;
      /** Its option path, for errors about what it returns. */
      readonly path: string;
    };

/** The route of one call, and whether the same call would always get it (no router function was asked). */
export interface RouteLookup {
  readonly route: Readonly<RouteOptions> | null;
  readonly cacheable: boolean;
}

/** One call, as routers see it. */
export interface RouterCall {
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: RouterCallOptions;
  readonly task: RoutedTask | undefined;
}

/** Compiles a task-name glob (`tasks.*`, `feed.?`) into a regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

const priority = num({ min: 0, max: 255, int: true });
const positiveSeconds = num({ positive: true });

const retryPolicy = shape<RetryPolicy>({
  maxRetries: { check: num({ min: 0, int: true }) },
  intervalStart: { check: num({ min: 0 }) },
  intervalStep: { check: num({ min: 0 }) },
  intervalMax: { check: num({ min: 0 }) },
});

const routeShape = shape<RouteOptions>({
  queue: { check: str({ nonEmpty: true }) },
  exchange: { check: str() },
  routingKey: { check: str() },
  priority: { check: priority },
  serializer: { check: str({ nonEmpty: true }) },
  compression: { check: str({ nonEmpty: true }) },
  expires: { check: num({ min: 0 }) },
  timeLimit: { check: positiveSeconds },
  softTimeLimit: { check: positiveSeconds },
  headers: { check: record },
  retry: { check: bool },
  retryPolicy: { check: retryPolicy },
});

/** Validates one route (options or a queue name) into options. */
export const checkRoute: Check<RouteOptions> = (v, p) => {
  if (typeof v === 'string') return { queue: str({ nonEmpty: true })(v, p) };
  if (!isPlainObject(v)) return invalid(p, 'a route (options or a queue name)', v);
  return routeShape(v, p);
};

function isPattern(v: unknown): v is RoutePattern {
  return typeof v === 'string' || v instanceof RegExp;
}

/** A `[pattern, route]` pair (a route is an object or a string, never an array). */
function isPair(v: unknown): v is readonly [RoutePattern, Route] {
  return Array.isArray(v) && v.length === 2 && isPattern(v[0]) && !Array.isArray(v[1]);
}

/** `regex.match(name)`: a copy anchored at the start, without the stateful `g`/`y` flags. */
function anchored(re: RegExp): RegExp {
  return new RegExp(`^(?:${re.source})`, re.flags.replace(/[gy]/g, ''));
}

type Entry = readonly [key: unknown, route: unknown, path: string];

function mapRouter(entries: readonly Entry[]): PreparedRouter {
  const exact = new Map<string, Readonly<RouteOptions>>();
  const patterns: (readonly [RegExp, Readonly<RouteOptions>])[] = [];
  for (const [key, value, path] of entries) {
    const route = Object.freeze(checkRoute(value, path));
    if (key instanceof RegExp) patterns.push([anchored(key), route]);
    else if (typeof key === 'string' && /[*?]/.test(key)) patterns.push([globToRegExp(key), route]);
    else if (typeof key === 'string') {
      if (!exact.has(key)) exact.set(key, route);
    } else invalid(path, 'a [pattern, route] pair whose pattern is a task name, a glob or a RegExp', key);
  }
  return { kind: 'map', exact, patterns };
}

function pairsRouter(pairs: readonly unknown[], path: string): PreparedRouter {
  return mapRouter(
    pairs.map((pair, i): Entry => {
      if (!isPair(pair)) return invalid(`${path}[${i}]`, 'a [pattern, route] pair', pair);
      return [pair[0], pair[1], `${path}[${i}][1]`];
    }),
  );
}

function objectRouter(map: Record<string, unknown>, path: string): PreparedRouter {
  return mapRouter(Object.entries(map).map(([k, v]): Entry => [k, v, `${path}["${k}"]`]));
}

function oneRouter(v: unknown, path: string): PreparedRouter {
  if (typeof v === 'function') return { kind: 'function', router: v as Router, path };
  if (Array.isArray(v)) return pairsRouter(v, path);
  if (isPlainObject(v)) return objectRouter(v, path);
  return invalid(path, 'a map of task name → route, a list of [pattern, route] pairs, or a router function', v);
}

/**
 * Validates `task.routes` into routers tried in order (Celery's `routes.prepare`).
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the path of the bad router or route.
 */
export function prepareRoutes(value: unknown, path: string): readonly PreparedRouter[] {
  if (!Array.isArray(value)) return [oneRouter(value, path)];
  const out: PreparedRouter[] = [];
  let pairs: Entry[] = [];
  const flush = (): void => {
    if (pairs.length > 0) out.push(mapRouter(pairs));
    pairs = [];
  };
  value.forEach((item: unknown, i) => {
    if (isPair(item)) {
      pairs.push([item[0], item[1], `${path}[${i}][1]`]);
      return;
    }
    flush();
    out.push(oneRouter(item, `${path}[${i}]`));
  });
  flush();
  return out;
}

/** The first route the routers give for `call`, as a copy (Celery's `Router.lookup_route`). */
export function lookupRoute(routers: readonly PreparedRouter[], call: RouterCall): RouteLookup {
  let cacheable = true;
  for (const router of routers) {
    if (router.kind === 'function') {
      cacheable = false;
      const got = router.router(call.name, call.args, call.kwargs, call.options, call.task);
      if (got != null) return { route: checkRoute(got, `${router.path} (returned for "${call.name}")`), cacheable };
      continue;
    }
    const exact = router.exact.get(call.name);
    if (exact) return { route: exact, cacheable };
    for (const [re, route] of router.patterns) if (re.test(call.name)) return { route, cacheable };
  }
  return { route: null, cacheable };
}
