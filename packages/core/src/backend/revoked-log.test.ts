import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../contracts/logger.js';
import type { KeyValueDriver, ResultBackend } from '../contracts/result-backend.js';
import { filesystemKeyValueDriver } from '../embedded/filesystem-key-value-driver.js';
import { keyValueBackend } from './key-value-backend.js';
import { memoryKeyValueDriver } from './memory-key-value-driver.js';
import { REVOKED_READ_CHUNK } from './revoked-log.js';

const ns = (): string => `revoked-${Math.random().toString(36).slice(2)}`;
const HOUR = 3_600_000;

type Shared = Required<Pick<ResultBackend, 'saveRevoked' | 'loadRevoked'>>;

function shared(driver: KeyValueDriver = memoryKeyValueDriver({ namespace: ns() }), logger = silentLogger): Shared & { driver: KeyValueDriver } {
  const backend = keyValueBackend(driver, { logger });
  const { saveRevoked, loadRevoked } = backend;
  if (!saveRevoked || !loadRevoked) throw new Error('keyValueBackend did not offer shared revokes');
  return { saveRevoked, loadRevoked, driver };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('keyValueBackend shared revokes (saveRevoked / loadRevoked)', () => {
  it('writes each save as its own batch, q-revoked-<n> numbered by the q-revoked-count counter, with the time to live', async () => {
    const { saveRevoked, driver } = shared();
    const set = vi.spyOn(driver, 'set');
    await saveRevoked(['a', 'b'], { at: 1_000, ttlMs: 3 * HOUR });
    await saveRevoked(['c'], { at: 2_000, ttlMs: 3 * HOUR });
    expect(await driver.get('q-revoked-count')).toBe('2');
    expect(set).toHaveBeenNthCalledWith(1, 'q-revoked-1', '{"at":1000,"ids":["a","b"]}', { ttlMs: 3 * HOUR, publish: false });
    expect(set).toHaveBeenNthCalledWith(2, 'q-revoked-2', '{"at":2000,"ids":["c"]}', { ttlMs: 3 * HOUR, publish: false });
  });

  it('loads what was saved, oldest first, each id once with its latest time', async () => {
    const { saveRevoked, loadRevoked } = shared();
    await saveRevoked(['a', 'b'], { at: 1_000, ttlMs: HOUR });
    await saveRevoked(['c', 'a'], { at: 3_000, ttlMs: HOUR });
    await saveRevoked(['d'], { at: 2_000, ttlMs: HOUR });
    expect(await loadRevoked()).toEqual([
      { id: 'b', at: 1_000 },
      { id: 'd', at: 2_000 },
      { id: 'c', at: 3_000 },
      { id: 'a', at: 3_000 },
    ]);
  });

  it('loads nothing from an empty store, and saves nothing for no ids', async () => {
    const { saveRevoked, loadRevoked, driver } = shared();
    const incr = vi.spyOn(driver, 'incr');
    await saveRevoked([], { at: 1, ttlMs: HOUR });
    expect(incr).not.toHaveBeenCalled();
    expect(await loadRevoked()).toEqual([]);
  });

  it('drops batches past their time to live', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const { saveRevoked, loadRevoked } = shared();
    await saveRevoked(['old'], { at: 0, ttlMs: 1_000 });
    vi.setSystemTime(500);
    await saveRevoked(['new'], { at: 500, ttlMs: 1_000 });
    expect((await loadRevoked()).map((r) => r.id)).toEqual(['old', 'new']);
    vi.setSystemTime(1_200);
    expect(await loadRevoked()).toEqual([{ id: 'new', at: 500 }]);
    vi.setSystemTime(1_600);
    expect(await loadRevoked()).toEqual([]);
  });

  it('skips batches older than `since`', async () => {
    const { saveRevoked, loadRevoked } = shared();
    await saveRevoked(['a'], { at: 1_000, ttlMs: HOUR });
    await saveRevoked(['b'], { at: 2_000, ttlMs: HOUR });
    expect(await loadRevoked({ since: 1_500 })).toEqual([{ id: 'b', at: 2_000 }]);
  });

  it('keeps every batch of concurrent saves (no read-modify-write of a shared value)', async () => {
    const namespace = ns();
    // Workers with drivers of their own over one store, saving at the same time.
    const workers = Array.from({ length: 5 }, () => shared(memoryKeyValueDriver({ namespace })));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => (workers[i % 5] as Shared).saveRevoked([`t${i}`], { at: 1_000 + i, ttlMs: HOUR })),
    );
    const loaded = await (workers[0] as Shared).loadRevoked();
    expect(loaded.map((r) => r.id).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`).sort());
  });

  it('keeps every batch of concurrent saves on the embedded (filesystem) store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'q-revoked-'));
    try {
      const a = shared(filesystemKeyValueDriver({ dir, fsync: false }));
      const b = shared(filesystemKeyValueDriver({ dir, fsync: false }));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).saveRevoked([`f${i}`], { at: 1_000 + i, ttlMs: HOUR })),
      );
      expect((await a.loadRevoked()).map((r) => r.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops reading once it has `limit` ids: the most recently saved', async () => {
    const { saveRevoked, loadRevoked, driver } = shared();
    for (let i = 0; i < 2 * REVOKED_READ_CHUNK; i += 1) await saveRevoked([`t${i}`], { at: i, ttlMs: HOUR });
    const mget = vi.spyOn(driver, 'mget');
    const loaded = await loadRevoked({ limit: 10 });
    expect(loaded.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `t${2 * REVOKED_READ_CHUNK - 10 + i}`));
    expect(mget).toHaveBeenCalledTimes(1);
    expect(mget.mock.calls[0]?.[0]).toHaveLength(REVOKED_READ_CHUNK);
  });

  it('stops reading at a chunk of slots with nothing live in it (the expired past is not walked)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const { saveRevoked, loadRevoked, driver } = shared();
    for (let i = 0; i < 3 * REVOKED_READ_CHUNK; i += 1) await saveRevoked([`old${i}`], { at: 0, ttlMs: 1_000 });
    vi.setSystemTime(5_000);
    for (let i = 0; i < 5; i += 1) await saveRevoked([`new${i}`], { at: 5_000, ttlMs: HOUR });
    const mget = vi.spyOn(driver, 'mget');
    expect((await loadRevoked()).map((r) => r.id)).toEqual(['new0', 'new1', 'new2', 'new3', 'new4']);
    // The newest chunk (5 live batches), then one chunk of expired ones: not the other two.
    expect(mget).toHaveBeenCalledTimes(2);
  });

  it('reads every live batch across chunks', async () => {
    const { saveRevoked, loadRevoked } = shared();
    const n = REVOKED_READ_CHUNK * 2 + 7;
    for (let i = 0; i < n; i += 1) await saveRevoked([`t${i}`], { at: i, ttlMs: HOUR });
    expect(await loadRevoked()).toHaveLength(n);
  });

  it('skips (and logs) a malformed batch', async () => {
    const warn = vi.fn();
    const { saveRevoked, loadRevoked, driver } = shared(memoryKeyValueDriver({ namespace: ns() }), { ...silentLogger, warn });
    await saveRevoked(['a'], { at: 1, ttlMs: HOUR });
    await driver.set('q-revoked-2', '{"at":"x"}', { ttlMs: null, publish: false });
    await driver.incr('q-revoked-count', 1, null);
    await saveRevoked(['b'], { at: 3, ttlMs: HOUR });
    expect((await loadRevoked()).map((r) => r.id)).toEqual(['a', 'b']);
    expect(warn).toHaveBeenCalledWith({ key: 'q-revoked-2' }, 'malformed revoked-ids batch ignored');
  });

  it('is offered only when the driver’s incr is atomic', () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    const backend = keyValueBackend({ ...driver, capabilities: { subscribe: true, atomicIncr: false } });
    expect(backend.saveRevoked).toBeUndefined();
    expect(backend.loadRevoked).toBeUndefined();
  });
});
