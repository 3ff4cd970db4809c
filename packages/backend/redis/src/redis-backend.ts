/**
 * `redisBackend()`: Celery's Redis result backend. Core's `keyValueBackend()` over {@link redisKeyValueDriver}
 * does the documents (`celery-task-meta-<id>`, `celery-taskset-meta-<gid>`), `getMany` (MGET), `forget` (DEL),
 * groups and `watch` (SUBSCRIBE on the key); this module replaces, through `keyValueBackend()`'s overrides, the
 * members Redis does natively:
 *
 * - `storeResult` checks for a stored SUCCESS and writes + PUBLISHes in one atomic Lua script (no window in which
 *   a late STARTED or RETRY overwrites a SUCCESS);
 * - native chords (`.j`/`.t`/`.s`, `chords: 'native'`) instead of the generic `chord-unlock-<gid>` counter;
 * - the states and chord parts of one event-loop turn go out as one call of that script (`result-writes.ts`).
 */
import { BackendError, keyValueBackend } from '@q/core';
import { encodeResultDocument, taskKey } from '@q/core/adapter';
import type { ResultBackend, TaskMeta } from '@q/core';
import type { ChordPart, ChordProgress, ResultBackendCapabilities, StoreOptions } from '@q/core/adapter';
import { chordPartReturn, setChordSize } from './chord-join.js';
import { DEFAULT_CHORD_EXPIRES, type RedisBackendOptions } from './options.js';
import { redisCall } from './redis-errors.js';
import { redisKeyValueDriver, type RedisKeyValueDriver } from './redis-key-value-driver.js';
import { ResultWriteBatcher } from './result-writes.js';

/** What the Redis backend supports. */
export const REDIS_BACKEND_CAPABILITIES: ResultBackendCapabilities = Object.freeze({
  push: true,
  chords: 'native',
  groups: true,
  autoExpire: true,
});

/** The Redis result backend; `driver` is its key-value driver (and command connection). */
export interface RedisBackend extends ResultBackend {
  readonly driver: RedisKeyValueDriver;
  watch(taskId: string, onMeta: (meta: TaskMeta) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>>;
  getMany(taskIds: readonly string[]): Promise<(TaskMeta | null)[]>;
  saveGroup(groupId: string, resultTuple: unknown, options: StoreOptions): Promise<void>;
  restoreGroup(groupId: string): Promise<unknown | null>;
  deleteGroup(groupId: string): Promise<void>;
  onChordPartReturn(part: ChordPart): Promise<ChordProgress>;
  setChordSize(groupId: string, size: number, options: StoreOptions): Promise<void>;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new BackendError('Q_ERR_BACKEND_UNSUPPORTED', `keyValueBackend did not provide ${what}`);
  return value;
}

/**
 * Create a Redis result backend from a URL (`redis://127.0.0.1:6379/0`, `rediss://`, `redis+socket://`,
 * `sentinel://`) or options. Unconnected: `connect()` (or the first command) connects.
 */
export function redisBackend(options: RedisBackendOptions | string = {}): RedisBackend {
  const opts: RedisBackendOptions = typeof options === 'string' ? { url: options } : options;
  const driver = redisKeyValueDriver(opts);
  const { client, logger } = driver;
  const chordExpires = opts.chordExpires === undefined ? DEFAULT_CHORD_EXPIRES : opts.chordExpires;
  const expiresSeconds = chordExpires === null ? null : Math.max(1, Math.ceil(chordExpires));
  const writes = new ResultWriteBatcher(client);

  return keyValueBackend(driver, { logger }, (base) => ({
    capabilities: REDIS_BACKEND_CAPABILITIES,
    driver,
    async close() {
      await writes.drain();
      await base.close();
    },
    storeResult(meta: TaskMeta, store: StoreOptions) {
      const item = {
        key: taskKey(meta.taskId),
        document: encodeResultDocument(meta),
        ttlMs: store.expiresMs,
        onSkipped: () => logger.debug({ taskId: meta.taskId, state: meta.status }, 'result already SUCCESS: not overwritten'),
      };
      return redisCall('store result', () => writes.store(item));
    },
    // The base's own `watch`, listed only to narrow its type: the driver subscribes, and a RedisBackend promises it.
    watch: required(base.watch, 'watch'),
    onChordPartReturn: (part) => chordPartReturn(client, writes, part, expiresSeconds),
    setChordSize: (groupId, size, store) => setChordSize(client, groupId, size, store),
  }));
}
