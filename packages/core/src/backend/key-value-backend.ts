/**
 * `keyValueBackend(driver)`: lifts a tier-2 {@link KeyValueDriver} into a full {@link ResultBackend}, writing Celery's
 * documents exactly (`celery-task-meta-<id>`, `celery-taskset-meta-<gid>`). A stored SUCCESS is never overwritten
 * (the current document is read first, as Celery does); task results are published to subscribers, and `watch` is
 * offered when the driver can `subscribe` (otherwise the core polls); a watch ends when the driver ends its
 * subscription (`subscribe`'s `onEnd`). Shared revokes (`saveRevoked`/`loadRevoked`) are a log of batches under
 * `q-revoked-<n>` (`revoked-log.ts`), offered when the driver's `incr` is atomic. An adapter that does some of this natively replaces just those members
 * (`keyValueBackend(driver, options, (base) => ({ … }))`, as `@q/backend-redis` does for `storeResult` and chords).
 */
import type { Logger } from '../contracts/logger.js';
import { silentLogger } from '../contracts/logger.js';
import type {
  ChordPart,
  ChordProgress,
  KeyValueDriver,
  ResultBackend,
  StoreOptions,
  TaskMeta,
} from '../contracts/result-backend.js';
import { decodeGroupMeta, decodeResultDocument, encodeGroupMeta, encodeResultDocument } from '../protocol/result-document.js';
import { chordPartReturn } from './chord-counter.js';
import { groupKey, taskKey } from './keys.js';
import { loadRevokedIds, saveRevokedIds } from './revoked-log.js';

/** Options of {@link keyValueBackend}. */
export interface KeyValueBackendOptions {
  logger?: Logger;
}

/**
 * The backend {@link keyValueBackend} builds: a {@link ResultBackend} whose `getMany`, group and chord members are
 * always there (`watch` only when the driver can subscribe, `saveRevoked`/`loadRevoked` only when its `incr` is
 * atomic).
 */
export type KeyValueBackend = ResultBackend &
  Required<Pick<ResultBackend, 'getMany' | 'saveGroup' | 'restoreGroup' | 'deleteGroup' | 'onChordPartReturn'>>;

/** A {@link KeyValueBackend} with the members of `O` in place of its own, plus the members `O` adds. */
export type OverriddenKeyValueBackend<O> = Omit<KeyValueBackend, keyof O> & O;

/** Lift a key-value driver into a full result backend. */
export function keyValueBackend(driver: KeyValueDriver, options?: KeyValueBackendOptions): KeyValueBackend;
/**
 * Lift a key-value driver into a full result backend, replacing some of its members: for an adapter that does part
 * of the work natively (Redis stores results with a Lua script and counts chords with its own keys).
 *
 * `overrides` is called once with the lifted backend (`base`) and returns the members to put in place of the
 * base's own, and any members to add; every other member is the base's, as it is. An override may call the member
 * it replaces through `base` (`close: async () => { await flushMine(); await base.close(); }`). The base's members
 * do not see the overrides: `base.storeResult` is always the generic one. `base` itself is left unchanged; the
 * returned backend is a new object.
 *
 * ```ts
 * const backend = keyValueBackend(driver, { logger }, (base) => ({
 *   capabilities: { ...base.capabilities, chords: 'native' },
 *   onChordPartReturn: (part) => nativeChordPart(driver, part),
 * }));
 * ```
 */
export function keyValueBackend<O extends Partial<ResultBackend>>(
  driver: KeyValueDriver,
  options: KeyValueBackendOptions,
  overrides: (base: KeyValueBackend) => O,
): OverriddenKeyValueBackend<O>;
export function keyValueBackend<O extends Partial<ResultBackend>>(
  driver: KeyValueDriver,
  options: KeyValueBackendOptions = {},
  overrides?: (base: KeyValueBackend) => O,
): KeyValueBackend | OverriddenKeyValueBackend<O> {
  const base = liftKeyValueDriver(driver, options);
  return overrides ? { ...base, ...overrides(base) } : base;
}

/** The lifted backend, without overrides. */
function liftKeyValueDriver(driver: KeyValueDriver, options: KeyValueBackendOptions): KeyValueBackend {
  const logger = options.logger ?? silentLogger;
  const push = driver.capabilities.subscribe && typeof driver.subscribe === 'function';

  const decode = (text: string | null): TaskMeta | null => (text === null ? null : decodeResultDocument(text));
  /** The state of a stored document; a corrupt one is logged and may be overwritten. */
  const storedStatus = (text: string): string | null => {
    try {
      return decodeResultDocument(text).status;
    } catch (error) {
      logger.warn({ err: error }, 'stored result document is malformed; overwriting it');
      return null;
    }
  };

  const backend: KeyValueBackend = {
    capabilities: Object.freeze({ push, chords: 'unlock', groups: true, autoExpire: true }),
    connect: () => driver.connect(),
    close: () => driver.close(),
    async storeResult(meta: TaskMeta, storeOptions: StoreOptions) {
      const key = taskKey(meta.taskId);
      const current = await driver.get(key);
      if (current !== null && storedStatus(current) === 'SUCCESS') {
        logger.debug({ taskId: meta.taskId, state: meta.status }, 'result already SUCCESS: not overwritten');
        return;
      }
      await driver.set(key, encodeResultDocument(meta), { ttlMs: storeOptions.expiresMs, publish: true });
    },
    async getTaskMeta(taskId: string) {
      return decode(await driver.get(taskKey(taskId)));
    },
    async getMany(taskIds: readonly string[]) {
      return (await driver.mget(taskIds.map(taskKey))).map(decode);
    },
    async forget(taskId: string) {
      await driver.delete(taskKey(taskId));
    },
    async saveGroup(groupId: string, resultTuple: unknown, storeOptions: StoreOptions) {
      // Celery publishes every key-value `set`, group metas included.
      await driver.set(groupKey(groupId), encodeGroupMeta(groupId, resultTuple), { ttlMs: storeOptions.expiresMs, publish: true });
    },
    async restoreGroup(groupId: string) {
      const text = await driver.get(groupKey(groupId));
      return text === null ? null : decodeGroupMeta(text);
    },
    async deleteGroup(groupId: string) {
      await driver.delete(groupKey(groupId));
    },
    onChordPartReturn(part: ChordPart): Promise<ChordProgress> {
      return chordPartReturn(driver, part, logger);
    },
    describe: () => driver.describe(),
  };
  if (driver.capabilities.atomicIncr) {
    // Each save takes its own slot from `incr`: without an atomic one, concurrent saves could overwrite each other.
    backend.saveRevoked = (ids, revokeOptions) => saveRevokedIds(driver, ids, revokeOptions);
    backend.loadRevoked = (loadOptions = {}) => loadRevokedIds(driver, loadOptions, logger);
  }
  if (push) {
    const subscribe = (driver.subscribe as NonNullable<KeyValueDriver['subscribe']>).bind(driver);
    // `onEnd` goes to the driver as is: a driver that closes (or loses the subscription for good) ends the watch.
    backend.watch = (taskId, onMeta, onEnd) =>
      subscribe(
        taskKey(taskId),
        (text) => {
          let meta: TaskMeta;
          try {
            meta = decodeResultDocument(text);
          } catch (error) {
            logger.error({ err: error, taskId }, 'malformed result document ignored');
            return;
          }
          onMeta(meta);
        },
        onEnd,
      );
  }
  return backend;
}
