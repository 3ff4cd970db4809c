import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesystemKeyValueDriver } from './filesystem-key-value-driver.js';

const root = mkdtempSync(join(tmpdir(), 'q-fskv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, String(++n));

describe('filesystemKeyValueDriver', () => {
  it('writes one file per key under kv/, with a safe name', async () => {
    const dir = freshDir();
    const driver = filesystemKeyValueDriver({ dir });
    await driver.set('celery-task-meta-abc', '{"status": "SUCCESS"}', { ttlMs: null, publish: true });
    await driver.set('a/../b', 'x', { ttlMs: null, publish: false });
    expect(readdirSync(join(dir, 'kv')).sort()).toEqual(['a%2F..%2Fb.json', 'celery-task-meta-abc.json']);
    expect(driver.capabilities).toEqual({ subscribe: false, atomicIncr: true });
  });

  it('removes an expired key file when it is read', async () => {
    const dir = freshDir();
    const driver = filesystemKeyValueDriver({ dir });
    await driver.set('k', 'v', { ttlMs: 20, publish: false });
    await new Promise((r) => setTimeout(r, 40));
    expect(await driver.get('k')).toBeNull();
    expect(existsSync(join(dir, 'kv', 'k.json'))).toBe(false);
  });

  it('incr is atomic across driver instances (as across processes)', async () => {
    const dir = freshDir();
    const drivers = [filesystemKeyValueDriver({ dir }), filesystemKeyValueDriver({ dir }), filesystemKeyValueDriver({ dir })];
    const values = await Promise.all(Array.from({ length: 30 }, (_, i) => drivers[i % 3]?.incr('chord-unlock-g', 1, null)));
    expect(new Set(values).size).toBe(30);
    expect(await drivers[0]?.get('chord-unlock-g')).toBe('30');
  });
});
