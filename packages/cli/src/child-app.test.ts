import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childAppSource, childNeedsTsx, execArgvLoadsTsx } from './child-app.js';
import type { ChildTsxContext } from './child-app.js';

let dir: string;
/** A parent running the built CLI: this module is `dist/child-app.js`, no conditions, no flags. */
const built: ChildTsxContext = { self: 'file:///opt/q/node_modules/@q/cli/dist/child-app.js', conditions: [], execArgv: [] };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-child-app-'));
  for (const file of ['app.mjs', 'app.js', 'app.cjs', 'tasks.ts', 'tasks.mts', 'tasks.cts', 'tasks.tsx']) writeFileSync(path.join(dir, file), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = (spec: string | undefined, context: ChildTsxContext = built) => childAppSource({ spec, cwd: dir, overrides: {} }, context);

describe('childAppSource preload', () => {
  it.each(['app.mjs', 'app.js', 'app.cjs', 'app.mjs:app'])('gives a built q with the JavaScript app %s no tsx', (spec) => {
    expect(source(spec).preload).toEqual([]);
  });

  it('gives a built q without -A no tsx', () => {
    expect(source(undefined).preload).toEqual([]);
  });

  it.each(['tasks.ts', 'tasks.mts', 'tasks.cts', 'tasks.tsx', 'tasks.ts:app'])('preloads tsx for the TypeScript app %s', (spec) => {
    const preload = source(spec).preload ?? [];
    expect(preload).toHaveLength(2);
    expect(preload[0]).toMatch(/^file:.*\/tsx\/.*esm.*\.mjs$/);
    expect(preload[1]).toMatch(/^file:.*\/tsx\/.*cjs.*\.(mjs|cjs)$/);
  });

  it('preloads tsx for an app module found by trying extensions (`-A tasks` is tasks.ts)', () => {
    expect(source('tasks').preload).toHaveLength(2);
  });

  it('preloads tsx when q runs from source, for a JavaScript app too', () => {
    expect(source('app.mjs', { ...built, self: 'file:///repo/packages/cli/src/child-app.ts' }).preload).toHaveLength(2);
    expect(source('app.mjs', { ...built, conditions: ['@q/source'] }).preload).toHaveLength(2);
  });

  it('preloads tsx when the parent loads tsx through its own Node flags (a child does not inherit them)', () => {
    expect(source('app.mjs', { ...built, execArgv: ['--import', 'tsx'] }).preload).toHaveLength(2);
  });

  it('imports this module and passes the -A value, the directory and the string overrides', () => {
    const got = childAppSource({ spec: 'app.mjs', cwd: dir, overrides: { broker: 'redis://b', backend: 'redis://r' } }, built);
    expect(got).toMatchObject({ module: built.self, exportName: 'loadChildApp', args: { spec: 'app.mjs', cwd: dir, overrides: { broker: 'redis://b', backend: 'redis://r' } } });
  });

  it('uses this module from the running process by default', () => {
    expect(childAppSource({ spec: 'app.mjs', cwd: dir, overrides: {} }).module).toMatch(/\/child-app\.(ts|js)$/);
  });
});

describe('childNeedsTsx', () => {
  it('is false for a missing app module (the child fails as the parent does, with or without tsx)', () => {
    expect(childNeedsTsx({ spec: 'missing.mjs', cwd: dir }, built)).toBe(false);
  });
});

describe('execArgvLoadsTsx', () => {
  it.each([
    [['--import', 'tsx']],
    [['--import=tsx']],
    [['--import', 'tsx/esm']],
    [['--require', 'tsx/cjs']],
    [['-r', 'tsx/cjs']],
    [['--loader=tsx']],
    [['--conditions=x', '--import', pathToFileURL('/repo/node_modules/.pnpm/tsx@4.21.0/node_modules/tsx/dist/esm/index.mjs').href]],
  ])('is true for %j', (execArgv) => {
    expect(execArgvLoadsTsx(execArgv)).toBe(true);
  });

  it.each([[[]], [['--conditions=@q/source']], [['--import', 'tsx-like']], [['--inspect', 'tsx']], [['--import', './my-tsx.mjs']]])(
    'is false for %j',
    (execArgv) => {
      expect(execArgvLoadsTsx(execArgv)).toBe(false);
    },
  );
});
