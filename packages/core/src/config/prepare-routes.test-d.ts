/**
 * Type tests (checked by `tsc -p tsconfig.json`): every `task.routes` form is accepted with its parts typed, and
 * what Celery would refuse does not compile.
 */
import { expectTypeOf } from 'vitest';
import type { AppOptions } from './options.js';
import type { Route, RoutedTask, RouteOptions, Router } from './resolved-config.js';
import type { Routes } from './prepare-routes.js';

type TaskSettings = NonNullable<AppOptions['task']>;
expectTypeOf<TaskSettings['routes']>().toEqualTypeOf<Routes | undefined>();

const router: Router = (name, args, kwargs, options, task) => {
  expectTypeOf(name).toEqualTypeOf<string>();
  expectTypeOf(args).toEqualTypeOf<readonly unknown[]>();
  expectTypeOf(kwargs).toEqualTypeOf<Readonly<Record<string, unknown>>>();
  expectTypeOf(options).toEqualTypeOf<Readonly<Record<string, unknown>>>();
  expectTypeOf(task).toEqualTypeOf<RoutedTask | undefined>();
  return task?.options.queue ?? null;
};
expectTypeOf<ReturnType<Router>>().toEqualTypeOf<Route | null | undefined>();
expectTypeOf<Route>().toEqualTypeOf<RouteOptions | string>();

const forms: Routes[] = [
  { 'feed.*': 'feeds', 'feed.import': { queue: 'imports', priority: 3, serializer: 'json', headers: { a: 1 } } },
  [[/^media\./, 'media'], ['feed.*', { queue: 'feeds' }]],
  router,
  [router, { a: 'q' }, [[/x/, 'x']], ['b.*', 'b'], [/c/, { queue: 'c' }]],
];
void forms;

// @ts-expect-error a route is options or a queue name
const badRoute: Routes = { a: 42 };
// @ts-expect-error route options are typed
const badOption: Routes = { a: { queue: 1 } };
// @ts-expect-error routers are synchronous
const asyncRouter: Router = async () => 'q';
void [badRoute, badOption, asyncRouter];
