/**
 * Running `task.routes` for one call (Celery's `Router.lookup_route`): the routers prepared by
 * `config/prepare-routes.ts`, in order, until one gives a route.
 */
import type { PreparedRouter, RoutedTask, RouteOptions, RouterCallOptions } from '../config/resolved-config.js';
import { checkRoute } from '../config/prepare-routes.js';

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
