import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquirePidfile } from '../src/pidfile.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-pid-'));
let n = 0;
const tmp = () => path.join(dir, `worker-${++n}.pid`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('acquirePidfile', () => {
  it('writes the pid and removes the file', () => {
    const file = tmp();
    const pidfile = acquirePidfile(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    pidfile.remove();
    expect(existsSync(file)).toBe(false);
  });

  it('replaces a stale pidfile', () => {
    const file = tmp();
    writeFileSync(file, '99999999\n');
    acquirePidfile(file).remove();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a pidfile of a live process', () => {
    const file = tmp();
    writeFileSync(file, `${process.ppid}\n`);
    expect(() => acquirePidfile(file)).toThrow(/belongs to the running process/);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.ppid));
  });

  it('does not remove a pidfile another process took over', () => {
    const file = tmp();
    const pidfile = acquirePidfile(file);
    writeFileSync(file, '12345\n');
    pidfile.remove();
    expect(existsSync(file)).toBe(true);
  });
});
