import { mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'q-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('withFileLock', () => {
  it('runs critical sections one at a time and removes the lock', async () => {
    const path = join(dir, 'counter');
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(path, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('breaks a stale lock left by a dead holder, and times out on a live one', async () => {
    const path = join(dir, 'stale');
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    expect(await withFileLock(path, async () => 'ran', { staleMs: 1000 })).toBe('ran');
    const live = join(dir, 'live');
    writeFileSync(`${live}.lock`, '');
    await expect(withFileLock(live, async () => 'no', { timeoutMs: 50 })).rejects.toMatchObject({ code: 'Q_ERR_TIMEOUT' });
  });

  it('releases the lock when the section throws', async () => {
    const path = join(dir, 'throws');
    await expect(withFileLock(path, async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
