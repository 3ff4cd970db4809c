import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@q/core';
import type { QError } from '@q/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadApp, resolveModuleFile, splitSpec } from '../src/load-app.js';
import { appModuleLoading, clearCliOverrides, getCliOverrides } from '@q/core/internal';
import { UsageError } from '../src/usage-error.js';

let dir: string;
const fakeApp = "{ name: 'fake', conf: {}, tasks: {}, sendTask() {} }";

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-load-'));
  writeFileSync(path.join(dir, 'good.mjs'), `export const app = ${fakeApp};\n`);
  writeFileSync(path.join(dir, 'named.mjs'), `export const other = ${fakeApp};\n`);
  writeFileSync(path.join(dir, 'typed.ts'), `const name: string = 'typed';\nexport const app = { ...${fakeApp}, name };\n`);
  writeFileSync(path.join(dir, 'noapp.mjs'), 'export const add = 1;\nexport function mul() {}\n');
  writeFileSync(path.join(dir, 'notapp.mjs'), 'export const app = { hello: 1 };\n');
  writeFileSync(path.join(dir, 'throws.mjs'), "throw new Error('boom at import');\n");
});
afterEach(() => clearCliOverrides());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = (spec: string) => loadApp({ spec, cwd: dir, overrides: {} });

describe('loadApp', () => {
  it('returns the exported app of a .mjs module', async () => {
    expect((await load('good.mjs')).name).toBe('fake');
  });

  it('loads a .ts module without a build step', async () => {
    expect((await load('typed.ts')).name).toBe('typed');
  });

  it('tries extensions when the path has none', async () => {
    expect((await load('typed')).name).toBe('typed');
  });

  it('picks another export with file:export', async () => {
    expect((await load('named.mjs:other')).name).toBe('fake');
  });

  it('fails with a usage error when the file is missing', async () => {
    const err = await load('missing.ts').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `-A/--app: cannot find the app module "missing.ts" (tried ${path.join(dir, 'missing.ts')}); ` +
        '-A takes a .ts, .mts, .js or .mjs file, or a folder with index.ts or app.ts',
    );
  });

  it('fails with a usage error listing the exports when `app` is missing', async () => {
    const err = await load('noapp.mjs').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/noapp.mjs does not export "app" \(it exports: add, mul\)/);
  });

  it('fails when the export is not an app', async () => {
    await expect(load('notapp.mjs')).rejects.toThrow(/the export "app" of notapp.mjs is not a q app/);
  });

  it('reports an error thrown while importing, naming the file', async () => {
    const err = await load('throws.mjs').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as QError).code).toBe('Q_ERR_MODULE_IMPORT_FAILED');
    expect((err as Error).message).toBe('failed to import app module throws.mjs: boom at import');
    expect(((err as Error).cause as Error).message).toBe('boom at import');
  });

  it('publishes the overrides before importing the module', async () => {
    writeFileSync(
      path.join(dir, 'peek.mjs'),
      `const seen = globalThis[Symbol.for('q.cli.overrides')];\nexport const app = { ...${fakeApp}, name: JSON.stringify(seen) };\n`,
    );
    const app = await loadApp({ spec: 'peek.mjs', cwd: dir, overrides: { broker: 'memory://', backend: undefined as never } });
    expect(JSON.parse(app.name)).toEqual({ broker: 'memory://' });
    expect(getCliOverrides()).toEqual({ broker: 'memory://' });
  });
});

describe('splitSpec and resolveModuleFile', () => {
  it('splits file:export but not drive letters', () => {
    expect(splitSpec('tasks.ts:myApp')).toEqual({ file: 'tasks.ts', exportName: 'myApp' });
    expect(splitSpec('tasks.ts')).toEqual({ file: 'tasks.ts', exportName: undefined });
    expect(splitSpec('C:\\x\\tasks.ts')).toEqual({ file: 'C:\\x\\tasks.ts', exportName: undefined });
  });

  it('resolves relative to cwd', () => {
    expect(resolveModuleFile('good.mjs', dir)).toBe(path.join(dir, 'good.mjs'));
  });
});

describe('loadApp: the include option', () => {
  const appWith = (include: string[]) =>
    `export const app = { ...${fakeApp}, conf: { include: ${JSON.stringify(include)} }, registered: [] };\n`;

  beforeAll(() => {
    mkdirSync(path.join(dir, 'proj/tasks'), { recursive: true });
    writeFileSync(path.join(dir, 'proj/app.mjs'), appWith(['./tasks/math.mjs', './tasks/email']));
    // Each task module imports `app` from the app module, which imports none of them: no cycle.
    writeFileSync(path.join(dir, 'proj/tasks/math.mjs'), "import { app } from '../app.mjs';\napp.registered.push('math');\n");
    writeFileSync(path.join(dir, 'proj/tasks/email.ts'), "import { app } from '../app.mjs';\nconst name: string = 'email';\napp.registered.push(name);\n");
    writeFileSync(path.join(dir, 'proj/missing.mjs'), appWith(['./tasks/math.mjs', './tasks/emial.ts']));
    writeFileSync(path.join(dir, 'proj/throwing.mjs'), appWith(['./tasks/throws.mjs']));
    writeFileSync(path.join(dir, 'proj/tasks/throws.mjs'), "throw new Error('boom in a task module');\n");
  });

  it('imports the included modules after the app module, in order, relative to its folder', async () => {
    const app = (await load('proj/app.mjs')) as unknown as { registered: string[] };
    expect(app.registered).toEqual(['math', 'email']);
  });

  it('names the entry and every path tried when an included path matches no file', async () => {
    const err = await load('proj/missing.mjs').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('Q_ERR_CONFIG_INVALID');
    expect((err as Error).message).toBe(
      `include[1] ("./tasks/emial.ts") of proj/missing.mjs: cannot find the module (tried ${path.join(dir, 'proj/tasks/emial.ts')})`,
    );
  });

  it('names the entry when an included module throws while it is imported', async () => {
    const err = await load('proj/throwing.mjs').catch((e: unknown) => e);
    expect((err as QError).code).toBe('Q_ERR_MODULE_IMPORT_FAILED');
    expect((err as Error).message).toBe('failed to import include[0] ("./tasks/throws.mjs") of proj/throwing.mjs: boom in a task module');
  });
});

describe('loadApp: the app-module-loading marker', () => {
  beforeAll(() => {
    writeFileSync(
      path.join(dir, 'marker.mjs'),
      `const seen = globalThis[Symbol.for('q.cli.appModuleLoading')] ?? null;\nexport const app = { ...${fakeApp}, name: JSON.stringify(seen) };\n`,
    );
    writeFileSync(path.join(dir, 'marker-include.mjs'), `export const app = { ...${fakeApp}, conf: { include: ['./marker-task.mjs'] } };\n`);
    writeFileSync(
      path.join(dir, 'marker-task.mjs'),
      "import { app } from './marker-include.mjs';\napp.name = JSON.stringify(globalThis[Symbol.for('q.cli.appModuleLoading')] ?? null);\n",
    );
  });

  it('names the module and the consuming command while it is imported, and is cleared after', async () => {
    const app = await loadApp({ spec: 'marker.mjs', cwd: dir, overrides: {}, consumingCommand: 'worker' });
    expect(JSON.parse(app.name)).toEqual({ module: path.join(dir, 'marker.mjs'), command: 'worker' });
    expect(appModuleLoading()).toBeNull();
  });

  it('is still set while the included modules are imported', async () => {
    const app = await loadApp({ spec: 'marker-include.mjs', cwd: dir, overrides: {}, consumingCommand: 'worker' });
    expect(JSON.parse(app.name)).toEqual({ module: path.join(dir, 'marker-include.mjs'), command: 'worker' });
  });

  it('is not set for a command that works after the import (call, result, purge)', async () => {
    writeFileSync(path.join(dir, 'marker2.mjs'), readFileSync(path.join(dir, 'marker.mjs')));
    const app = await load('marker2.mjs');
    expect(JSON.parse(app.name)).toBeNull();
  });

  it('is cleared when the import fails', async () => {
    await expect(loadApp({ spec: 'throws.mjs', cwd: dir, overrides: {}, consumingCommand: 'worker' })).rejects.toThrow(/boom at import/);
    expect(appModuleLoading()).toBeNull();
  });
});
