import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPackage, processConditions } from './import-package.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'q-import-'));
  // A dual package: `require` → a CommonJS file, `import` → an ES module, as q's own packages are built.
  const pkg = join(dir, 'node_modules', '@q', 'dual');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@q/dual', exports: { '.': { import: './index.mjs', require: './index.cjs' } } }),
  );
  await writeFile(join(pkg, 'index.mjs'), `export const format = 'esm';\n`);
  await writeFile(join(pkg, 'index.cjs'), `exports.format = 'cjs';\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('importPackage', () => {
  it("loads an ES module app's package from its import entry (never the CommonJS half of a dual package)", async () => {
    const mod = await importPackage('@q/dual', dir);
    expect(mod['format']).toBe('esm');
  });

  it('resolves from the directory given, with a trailing slash or without', async () => {
    expect((await importPackage('@q/dual', `${dir}/`))['format']).toBe('esm');
  });

  it('rejects with ERR_MODULE_NOT_FOUND for a package not installed there', async () => {
    await expect(importPackage('@q/not-installed', dir)).rejects.toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });
});

describe('processConditions', () => {
  it('reads --conditions in each spelling, from the arguments and NODE_OPTIONS, once each', () => {
    expect(processConditions(['--conditions=@q/source', '-C', 'dev', '--import', 'tsx', '-C=x'], '--conditions dev --max-old-space-size=99 -C=y')).toEqual([
      '@q/source',
      'dev',
      'x',
      'y',
    ]);
  });

  it('is empty without any', () => {
    expect(processConditions(['--enable-source-maps'], '')).toEqual([]);
  });
});
