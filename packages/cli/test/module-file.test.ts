import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleFileCandidates, resolveModuleFile } from '../src/module-file.js';
import { UsageError } from '../src/usage-error.js';

let dir: string;
const make = (file: string, text = 'export {};\n') => {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-modfile-'));
  make('withindex/index.ts');
  make('withindex/app.ts');
  make('withapp/app.mts');
  make('withmain/package.json', JSON.stringify({ main: './src/main' }));
  make('withmain/src/main.js');
  make('withmain/index.ts');
  make('brokenmain/package.json', JSON.stringify({ main: './dist/index.js' }));
  make('brokenmain/app.ts');
  mkdirSync(path.join(dir, 'empty'));
  make('proj.ts');
  mkdirSync(path.join(dir, 'proj'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveModuleFile: -A as a file', () => {
  it('takes a file as it is, and adds .ts, .mts, .js, .mjs to a path without an extension', () => {
    make('plain.mjs');
    expect(resolveModuleFile('plain.mjs', dir)).toBe(path.join(dir, 'plain.mjs'));
    expect(resolveModuleFile('plain', dir)).toBe(path.join(dir, 'plain.mjs'));
  });

  it('prefers proj.ts to the folder proj (as Node prefers a file)', () => {
    expect(resolveModuleFile('proj', dir)).toBe(path.join(dir, 'proj.ts'));
  });

  it('lists every path it tried when nothing exists', () => {
    const err = (() => {
      try {
        resolveModuleFile('nothing', dir);
      } catch (e) {
        return e;
      }
      throw new Error('expected a failure');
    })();
    expect(err).toBeInstanceOf(UsageError);
    const tried = ['nothing', 'nothing.ts', 'nothing.mts', 'nothing.js', 'nothing.mjs'].map((f) => path.join(dir, f)).join(', ');
    expect((err as Error).message).toContain(`cannot find the app module "nothing" (tried ${tried})`);
  });
});

describe('resolveModuleFile: -A as a folder', () => {
  it('finds index.ts before app.ts', () => {
    expect(resolveModuleFile('withindex', dir)).toBe(path.join(dir, 'withindex/index.ts'));
  });

  it('finds app.* when there is no index', () => {
    expect(resolveModuleFile('withapp', dir)).toBe(path.join(dir, 'withapp/app.mts'));
  });

  it("takes the package.json main first, with extensions tried", () => {
    expect(resolveModuleFile('withmain', dir)).toBe(path.join(dir, 'withmain/src/main.js'));
  });

  it('goes on past a main that does not exist (an unbuilt dist/)', () => {
    expect(resolveModuleFile('brokenmain', dir)).toBe(path.join(dir, 'brokenmain/app.ts'));
  });

  it('lists the main, index.* and app.* it tried, and says what -A takes', () => {
    expect(() => resolveModuleFile('empty', dir)).toThrow(UsageError);
    let message = '';
    try {
      resolveModuleFile('empty', dir);
    } catch (e) {
      message = (e as Error).message;
    }
    for (const file of ['empty.ts', 'empty.mjs', 'empty/index.ts', 'empty/index.mts', 'empty/index.js', 'empty/index.mjs',
      'empty/app.ts', 'empty/app.mts', 'empty/app.js', 'empty/app.mjs']) {
      expect(message).toContain(path.join(dir, file));
    }
    expect(message).not.toContain(`${path.join(dir, 'empty')},`); // the folder itself is not a "tried file"
    expect(message).toMatch(/empty is a folder: -A takes a module file, or a folder with a package.json "main", index.ts or app.ts/);
  });

  it('tries the candidates in order: the path, its extensions, main, index, app', () => {
    const root = path.join(dir, 'withmain');
    expect(moduleFileCandidates(root).slice(0, 7)).toEqual([
      root, `${root}.ts`, `${root}.mts`, `${root}.js`, `${root}.mjs`, path.join(root, 'src/main'), path.join(root, 'src/main.ts'),
    ]);
  });
});
