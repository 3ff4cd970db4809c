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
 * {@link PreparedRouter}s; `routing/lookup-route.ts` runs them for one call.
 */
import type { PreparedRouter, RetryPolicy, Route, RouteOptions, Router } from './resolved-config.js';
import { bool, invalid, isPlainObject, num, record, shape, str, type Check } from './config-schema.js';

/** A task-name pattern: a glob (`feed.*`, `?` = one character) or a `RegExp` matched at the start of the name. */
export type RoutePattern = string | RegExp;

/** A map router: task name or glob → route. Exact names win; globs are tried in declaration order. */
export type RouteMap = Readonly<Record<string, Route>>;

/** A map router as ordered `[pattern, route]` pairs: the form that takes `RegExp` patterns. */
export type RoutePairs = readonly (readonly [RoutePattern, Route])[];

/** One router: a map, `[pattern, route]` pairs, or a function. */
export type RouteSpec = RouteMap | RoutePairs | Router;

/** The `task.routes` setting (Celery `task_routes`): one router, or a list of routers and pairs tried in order. */
export type Routes = RouteSpec | readonly (RouteSpec | readonly [RoutePattern, Route])[];

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
  const source: Record<string, Readonly<RouteOptions>> = {};
  for (const [key, value, path] of entries) {
    const route = Object.freeze(checkRoute(value, path));
    if (typeof key === 'string' || key instanceof RegExp) source[String(key)] ??= route;
    if (key instanceof RegExp) patterns.push([anchored(key), route]);
    else if (typeof key === 'string' && /[*?]/.test(key)) patterns.push([globToRegExp(key), route]);
    else if (typeof key === 'string') {
      if (!exact.has(key)) exact.set(key, route);
    } else invalid(path, 'a [pattern, route] pair whose pattern is a task name, a glob or a RegExp', key);
  }
  return { kind: 'map', exact, patterns, source };
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

/**
 * `task.routes` as plain data (the remote-control `conf` reply): a map as written, a router function as
 * `<function name>`; one router alone, a list otherwise.
 */
export function describeRoutes(routers: readonly PreparedRouter[]): unknown {
  const described = routers.map((r) => (r.kind === 'map' ? r.source : `<function ${r.router.name || 'anonymous'}>`));
  return described.length === 1 ? described[0] : described;
}
