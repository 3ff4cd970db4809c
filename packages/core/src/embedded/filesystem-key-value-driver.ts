/**
 * The embedded result store (`file:///abs/dir`): one file per key under `<dir>/kv/`, written atomically, with the
 * time to live stored beside the value and enforced on read. `incr` is safe across processes (a lock file).
 * There is no `subscribe`: the core polls.
 */
import { join } from 'node:path';
import type { KeyValueDriver, KeyValueSetOptions } from '../contracts/result-backend.js';
import { BackendError } from '../errors/q-error.js';
import { withFileLock } from './file-lock.js';
import { dirMaker, readIfExists, removeIfExists, writeAtomic } from './fs-util.js';
import { safeName } from './safe-name.js';

/** Options of {@link filesystemKeyValueDriver}. */
export interface FilesystemKeyValueDriverOptions {
  /** Directory of the store (created if missing). */
  dir: string;
  /** Flush each write to disk before it becomes visible (default true). */
  fsync?: boolean;
}

/** What a key's file holds. */
interface StoredValue {
  /** The value. */
  v: string;
  /** Expiry, epoch ms, or `null`. */
  e: number | null;
}

/** Create a filesystem key-value driver. */
export function filesystemKeyValueDriver(options: FilesystemKeyValueDriverOptions): KeyValueDriver {
  const kvDir = join(options.dir, 'kv');
  const tmpDir = join(options.dir, 'tmp');
  const sync = options.fsync ?? true;
  const ensureDir = dirMaker();
  const pathOf = (key: string): string => join(kvDir, `${safeName(key)}.json`);

  async function ready(): Promise<void> {
    await ensureDir(kvDir);
    await ensureDir(tmpDir);
  }

  async function read(key: string): Promise<StoredValue | null> {
    const path = pathOf(key);
    const text = await readIfExists(path);
    if (text === null) return null;
    let stored: StoredValue;
    try {
      stored = JSON.parse(text) as StoredValue;
    } catch (error) {
      throw new BackendError('Q_ERR_BACKEND_FAILED', `corrupt value file ${path}`, { cause: error });
    }
    if (stored.e !== null && stored.e <= Date.now()) {
      await removeIfExists(path);
      return null;
    }
    return stored;
  }

  async function write(key: string, value: string, expiresAt: number | null): Promise<void> {
    await ready();
    const stored: StoredValue = { v: value, e: expiresAt };
    await writeAtomic(tmpDir, pathOf(key), JSON.stringify(stored), sync);
  }

  return {
    capabilities: Object.freeze({ subscribe: false, atomicIncr: true }),
    connect: ready,
    async close() {},
    async get(key: string) {
      return (await read(key))?.v ?? null;
    },
    async mget(keys: readonly string[]) {
      return Promise.all(keys.map(async (key) => (await read(key))?.v ?? null));
    },
    async set(key: string, value: string, setOptions: KeyValueSetOptions) {
      await write(key, value, setOptions.ttlMs === null ? null : Date.now() + setOptions.ttlMs);
    },
    async delete(key: string) {
      await removeIfExists(pathOf(key));
    },
    async incr(key: string, by: number, ttlMs: number | null) {
      await ready();
      return withFileLock(pathOf(key), async () => {
        const current = await read(key);
        const n = current === null ? 0 : Number(current.v);
        if (!Number.isInteger(n)) throw new BackendError('Q_ERR_BACKEND_FAILED', `value of ${key} is not an integer`);
        const next = n + by;
        await write(key, String(next), ttlMs === null ? (current?.e ?? null) : Date.now() + ttlMs);
        return next;
      });
    },
    describe() {
      return `file://${options.dir}`;
    },
  };
}
