import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadApp, resolveModuleFile, splitSpec } from '../src/load-app.js';
import { clearCliOverrides, getCliOverrides } from '@q/core/internal';
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
    expect((err as Error).message).toMatch(/cannot find the app module "missing.ts" \(looked for .*missing.ts\)/);
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
    expect((err as Error).message).toBe('failed to import app module throws.mjs: boom at import');
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
