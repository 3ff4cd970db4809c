/**
 * docs/guide/project-layout.md as it is run: examples/project-layout (an app module with `include`, task
 * modules that import `app`, a client, and main.ts) on the embedded broker in a temporary folder; `-A` given a
 * folder; and `include` naming a package and a package.json `imports` entry.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllQ, ROOT, runQ, startQ } from './support/q-process.js';
import type { QProcess } from './support/q-process.js';

let dir: string;
let embedded: string;
let worker: QProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-e2e-layout-'));
  embedded = path.join(dir, '.q'); // where client.ts, run from `dir`, finds the embedded broker by default
  worker = startQ(['-A', 'examples/project-layout/app.ts', 'worker', '-n', 'layout@%h'], { Q_EMBEDDED_DIR: embedded });
  await worker.waitFor(/\bready\b/, 25_000);
}, 30_000);

afterAll(() => {
  killAllQ();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('examples/project-layout', () => {
  it('the worker registers the tasks of every included module', () => {
    expect(worker.stdout()).toMatch(/\[tasks\]\n {2}\. email\.welcome\n {2}\. math\.add\n {2}\. math\.mul\n/);
    expect(worker.stderr()).not.toMatch(/before initialization/);
  });

  it('q -A app.ts call, then q -A <folder> result, gives the result', async () => {
    const call = await runQ(['-A', 'examples/project-layout/app.ts', '--embedded-dir', embedded, 'call', 'math.add', '--args', '[2,2]']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.lastLine).toMatch(/^[0-9a-f-]{36}$/);
    const result = await runQ(['-A', 'examples/project-layout', '--embedded-dir', embedded, 'result', call.lastLine, '-t', '10']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.lastLine).toBe('4');
  }, 20_000);

  it('client.ts calls the tasks it imports and prints their results', async () => {
    // Run from `dir`, so its app uses `dir/.q` as the worker does; tsx is found from the repository.
    const tsx = pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('tsx')).href;
    const client = spawn(process.execPath, ['--conditions=@q/source', '--import', tsx, path.join(ROOT, 'examples/project-layout/client.ts')], {
      cwd: dir,
      // nx sets FORCE_COLOR for the tasks it runs: console.log would colour the numbers.
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'FORCE_COLOR')),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    client.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => client.on('exit', (c) => resolve(c)));
    expect(code, out).toBe(0);
    expect(out).toBe('4\nWelcome, ada@example.com!\n');
  }, 20_000);

  it('main.ts, the alternative that imports every task module, starts the same worker', async () => {
    const other = startQ(['-A', 'examples/project-layout/main.ts', 'worker', '-n', 'main@%h', '-Q', 'layout-main'], { Q_EMBEDDED_DIR: embedded });
    await other.waitFor(/\bready\b/, 20_000);
    expect(other.stdout()).toMatch(/app:\s+proj\n/);
    expect(other.stdout()).toMatch(/\[tasks\]\n {2}\. email\.welcome\n {2}\. math\.add\n {2}\. math\.mul\n/);
    other.child.kill('SIGTERM');
    expect(await other.exited()).toBe(0);
  }, 30_000);
});

describe('-A and include, outside the repository layout', () => {
  let proj: string;
  beforeAll(() => {
    proj = path.join(dir, 'proj');
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(proj, file)), { recursive: true });
      writeFileSync(path.join(proj, file), text);
    };
    write('package.json', JSON.stringify({ name: 'proj', type: 'module', imports: { '#local-tasks': './local-tasks.mjs' } }));
    write('app.mjs', "import { createApp } from '@q/core';\nexport const app = createApp({ name: 'pkg', include: ['shared-tasks', '#local-tasks'] });\n");
    write('local-tasks.mjs', "import { app } from './app.mjs';\napp.task('local.ping', () => 'pong');\n");
    // A package with an ESM and a CJS export: include must load the one an `import` in app.mjs would.
    write('node_modules/shared-tasks/package.json', JSON.stringify({
      name: 'shared-tasks', type: 'module', exports: { '.': { import: './index.mjs', require: './index.cjs' } },
    }));
    write('node_modules/shared-tasks/index.mjs', "import { app } from '../../app.mjs';\napp.task('shared.add', (x, y) => x + y);\n");
    write('node_modules/shared-tasks/index.cjs', "throw new Error('include loaded the require export');\n");
    mkdirSync(path.join(proj, 'node_modules/@q'), { recursive: true });
    symlinkSync(path.join(ROOT, 'packages/core'), path.join(proj, 'node_modules/@q/core'), 'dir');
  });

  it('imports a package and a package.json imports entry, resolved from the app module', async () => {
    const w = startQ(['-A', path.join(proj, 'app.mjs'), 'worker', '-n', 'pkg@%h', '-Q', 'pkg-include'], { Q_EMBEDDED_DIR: embedded });
    await w.waitFor(/\bready\b/, 20_000);
    expect(w.stdout()).toMatch(/\[tasks\]\n {2}\. local\.ping\n {2}\. shared\.add\n/);
    w.child.kill('SIGTERM');
    expect(await w.exited()).toBe(0);
  }, 30_000);

  it('-A <folder> with no entry module lists every path it tried', async () => {
    const run = await runQ(['-A', path.join(dir, 'nothing-here'), 'call', 'x']);
    mkdirSync(path.join(dir, 'empty'));
    const folder = await runQ(['-A', path.join(dir, 'empty'), 'call', 'x']);
    expect(run.code).toBe(2);
    expect(folder.code).toBe(2);
    for (const file of ['index.ts', 'index.mts', 'index.js', 'index.mjs', 'app.ts', 'app.mts', 'app.js', 'app.mjs']) {
      expect(folder.stderr).toContain(path.join(dir, 'empty', file));
    }
    expect(folder.stderr).toMatch(/is a folder: -A takes a module file, or a folder with a package.json "main", index.ts or app.ts/);
  }, 20_000);
});
