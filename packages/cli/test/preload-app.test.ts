/** How `q` reads `-A` and loads the app before it parses the line (its own file: the app module is imported fresh). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@q/core';
import { clearCliOverrides } from '@q/core/internal';
import { afterAll, describe, expect, it } from 'vitest';
import { preloadApp, scanLine } from '../src/plugins/preload-app.js';
import { createProgram } from '../src/program.js';
import { memoryIo } from './helpers.js';

const APP = fileURLToPath(new URL('./fixtures/cli-plugin/app.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'q-preload-'));
afterAll(() => {
  clearCliOverrides();
  rmSync(dir, { recursive: true, force: true });
});

const scan = (...args: string[]) => scanLine(['node', 'q', ...args], createProgram(memoryIo()));

describe('scanLine', () => {
  it('reads the global options wherever they are, passing over options it does not know', () => {
    expect(scan('--config-file', 'x.json', 'hello', 'bob', '-A', 'app.ts', '-l', 'debug')).toMatchObject({
      globals: { app: 'app.ts', loglevel: 'debug' },
    });
    expect(scan('worker', '-c', '2', '--app=tasks.ts')).toMatchObject({ globals: { app: 'tasks.ts' }, command: 'worker' });
    expect(scan('-A', 'app.ts', 'hello', 'bob')?.command).toBe('hello');
    expect(scan('hello')?.globals.app).toBeUndefined();
  });

  it('gives up, printing nothing, on a line the real parse must reject or answer', () => {
    expect(scan('-A', 'app.ts', '-l', 'loud', 'worker')).toBeNull();
    expect(scan('--version')).toBeNull();
    expect(scan('-A')).toBeNull();
  });
});

describe('preloadApp', () => {
  it('imports the -A app with the overrides of the line and sets its plugins up, logging through a relay', async () => {
    const io = memoryIo({ cwd: dir });
    const line = scan('hello', 'bob', '-A', APP, '--embedded-dir', 'store');
    expect(line).not.toBeNull();
    const preloaded = await preloadApp(line!, io);
    expect(preloaded?.app.name).toBe('greeter');
    expect(preloaded?.app.conf.embeddedDir).toBe(path.join(dir, 'store'));
    expect(preloaded?.app.plugins.cliCommands().map((c) => c.spec.name)).toEqual(['hello']);
    const lines: string[] = [];
    const target = { warn: (_: unknown, msg?: string) => void lines.push(msg ?? '') } as unknown as Logger;
    preloaded?.logger.setTarget(target);
    preloaded?.app.log.warn({}, 'through the relay');
    expect(lines).toEqual(['through the relay']);
  });

  it('loads nothing without -A', async () => {
    expect(await preloadApp(scan('hello')!, memoryIo())).toBeNull();
  });
});
