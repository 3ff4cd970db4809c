/** The real `q` process with `-A` naming an app whose plugin adds a command and a global option (the documented example). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';

const APP = 'test/fixtures/cli-plugin/app.ts';
const dir = mkdtempSync(path.join(tmpdir(), 'q-cli-plugin-bin-'));

afterEach(() => stopAllQ());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('q -A <app with a CLI plugin>, as a process', () => {
  it("lists the plugin's command and option in --help, and runs the command with the global option applied first", async () => {
    const help = startQ(['-A', APP, '--help']);
    expect(await help.exited()).toBe(0);
    expect(help.output()).toMatch(/Commands of plugin "greet":\n\s+hello \[options\] <name>\s+greet someone/);
    expect(help.output()).toMatch(/Options of plugin "greet":\n\s+--config-file <path>/);

    const config = path.join(dir, 'greet.json');
    writeFileSync(config, JSON.stringify({ greeting: 'Hi' }));
    const hello = startQ(['--config-file', config, 'hello', 'bob', '--shout', '-A', APP]);
    expect(await hello.exited()).toBe(0);
    expect(hello.output()).toBe('HI, BOB! (FROM GREETER)\n');
  });

  it('exits 2 with a usage error when the plugin command misses its argument', async () => {
    const q = startQ(['-A', APP, 'hello']);
    expect(await q.exited()).toBe(2);
    expect(q.output()).toMatch(/error: missing required argument 'name'/);
  });
});
