import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../errors/q-error.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { AppOptions } from '../config/options.js';
import { describeRoutes, globToRegExp, prepareRoutes, type Routes } from '../config/prepare-routes.js';
import type { Router } from '../config/resolved-config.js';
import { lookupRoute } from './lookup-route.js';

const route = (routes: Routes, name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
  lookupRoute(prepareRoutes(routes, 'task.routes'), { name, args, kwargs, options: {}, task: undefined }).route;

const errorOf = (routes: unknown): string => {
  try {
    resolveConfig({ task: { routes } } as AppOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('task.routes forms (Celery task_routes)', () => {
  it('a map: exact names before globs, globs in declaration order, a string is a queue name', () => {
    const routes = { 'feed.*': 'feeds', 'feed.import': { queue: 'imports', priority: 3 }, '*': { queue: 'misc' } };
    expect(route(routes, 'feed.import')).toEqual({ queue: 'imports', priority: 3 });
    expect(route(routes, 'feed.fetch')).toEqual({ queue: 'feeds' });
    expect(route(routes, 'other')).toEqual({ queue: 'misc' });
  });

  it('[pattern, route] pairs: globs and RegExps matched from the start of the name, in order', () => {
    const routes: Routes = [
      [
        [/(video|image)\.tasks\..*/, { queue: 'media' }],
        ['feed.tasks.*', 'feeds'],
        [/tasks/, 'never-from-the-middle'],
      ],
    ];
    expect(route(routes, 'video.tasks.encode')).toEqual({ queue: 'media' });
    expect(route(routes, 'image.tasks.thumb')).toEqual({ queue: 'media' });
    expect(route(routes, 'feed.tasks.pull')).toEqual({ queue: 'feeds' });
    // `regex.match(name)` anchors at the start only
    expect(route(routes, 'audio.tasks.x')).toBeNull();
    expect(route(routes, 'tasks.x')).toEqual({ queue: 'never-from-the-middle' });
  });

  it('pairs may also be given at the top level: consecutive pairs form one map, exact names first', () => {
    const routes: Routes = [['a.*', 'globbed'], ['a.b', 'exact'], { 'c.d': 'mapped' }, [/c\./, 'regexp']];
    expect(route(routes, 'a.b')).toEqual({ queue: 'exact' });
    expect(route(routes, 'a.c')).toEqual({ queue: 'globbed' });
    expect(route(routes, 'c.d')).toEqual({ queue: 'mapped' });
    expect(route(routes, 'c.e')).toEqual({ queue: 'regexp' });
  });

  it('a RegExp with the g flag matches every time (no lastIndex state)', () => {
    const routes: Routes = [[/a\./g, 'q']];
    expect([route(routes, 'a.x'), route(routes, 'a.x'), route(routes, 'a.x')]).toEqual([{ queue: 'q' }, { queue: 'q' }, { queue: 'q' }]);
  });

  it('a router function gets name, args, kwargs, options and the task; null/undefined defer to the next router', () => {
    const fn = vi.fn<Router>((name, args, kwargs) => (kwargs['tenant'] === 'big' ? { queue: `big-${String(args[0])}` } : null));
    const routes: Routes = [fn, (name) => (name.startsWith('x.') ? 'xs' : undefined), { '*': 'rest' }];
    expect(route(routes, 't', [1], { tenant: 'big' })).toEqual({ queue: 'big-1' });
    expect(fn).toHaveBeenCalledWith('t', [1], { tenant: 'big' }, {}, undefined);
    expect(route(routes, 'x.y')).toEqual({ queue: 'xs' });
    expect(route(routes, 'z')).toEqual({ queue: 'rest' });
  });

  it('a lone router function, and a map before a function: cacheable only when no function was asked', () => {
    const prepared = prepareRoutes([{ 'a.b': 'mapped' }, () => 'fn'], 'task.routes');
    const call = (name: string) => lookupRoute(prepared, { name, args: [], kwargs: {}, options: {}, task: undefined });
    expect(call('a.b')).toEqual({ route: { queue: 'mapped' }, cacheable: true });
    expect(call('other')).toEqual({ route: { queue: 'fn' }, cacheable: false });
    expect(route(() => 'only', 'any')).toEqual({ queue: 'only' });
  });

  it('routes carry publish options', () => {
    const routes = {
      't': {
        queue: 'q', exchange: 'ex', routingKey: 'k', priority: 1, serializer: 'pickle', compression: 'gzip', expires: 60,
        timeLimit: 30, softTimeLimit: 20, headers: { h: 1 }, retry: false, retryPolicy: { maxRetries: 1 },
      },
    };
    expect(route(routes, 't')).toEqual(routes.t);
  });
});

describe('task.routes validation', () => {
  it('refuses what is not a map, a list or a function, naming the path', () => {
    expect(errorOf(42)).toBe('task.routes: expected a map of task name → route, a list of [pattern, route] pairs, or a router function (got 42)');
    expect(errorOf([{ a: 'q' }, 'oops'])).toMatch(/^task\.routes\[1\]: expected a map of task name → route/);
  });

  it('refuses bad routes and bad pairs, naming the path', () => {
    expect(errorOf({ 'a.*': { queu: 'x' } })).toBe('task.routes["a.*"].queu is not an option (did you mean task.routes["a.*"].queue?)');
    expect(errorOf({ a: 7 })).toBe('task.routes["a"]: expected a route (options or a queue name) (got 7)');
    expect(errorOf({ a: { priority: 300 } })).toMatch(/^task\.routes\["a"\]\.priority: /);
    expect(errorOf([[['a', 'q'], ['b']]])).toBe('task.routes[0][1]: expected a [pattern, route] pair (got an array)');
    expect(errorOf([[[/a/, 5]]])).toBe('task.routes[0][0][1]: expected a route (options or a queue name) (got 5)');
  });

  it("refuses what a router function returns when it is not a route, naming the router and the task", () => {
    const prepared = prepareRoutes([{}, () => ({ queue: 3 })], 'task.routes');
    expect(() => lookupRoute(prepared, { name: 't.x', args: [], kwargs: {}, options: {}, task: undefined })).toThrow(
      'task.routes[1] (returned for "t.x").queue: expected a string (got 3)',
    );
  });

  it('describes prepared routes as written: one map alone as itself, a list as a list, functions by name', () => {
    expect(describeRoutes(prepareRoutes({ 'a.*': 'q', b: { queue: 'b', priority: 1 } }, 'r'))).toEqual({ 'a.*': { queue: 'q' }, b: { queue: 'b', priority: 1 } });
    expect(describeRoutes(prepareRoutes([[/x/i, 'x'], () => null], 'r'))).toEqual([{ '/x/i': { queue: 'x' } }, '<function anonymous>']);
    expect(describeRoutes([])).toEqual([]);
  });

  it('resolves to frozen routers', () => {
    const conf = resolveConfig({ task: { routes: [{ 'a.*': 'q' }, () => null] } });
    expect(conf.task.routes.map((r) => r.kind)).toEqual(['map', 'function']);
    expect(Object.isFrozen(conf.task.routes)).toBe(true);
  });
});

describe('globs', () => {
  it('matches * and ? and escapes dots', () => {
    expect(globToRegExp('a.*').test('a.b.c')).toBe(true);
    expect(globToRegExp('a.?').test('a.b')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});
