/**
 * `keyValueBackend(driver)`: lifts a tier-2 {@link KeyValueDriver} into a full {@link ResultBackend}, writing Celery's
 * documents exactly (`celery-task-meta-<id>`, `celery-taskset-meta-<gid>`). A stored SUCCESS is never overwritten
 * (the current document is read first, as Celery does); task results are published to subscribers, and `watch` is
 * offered when the driver can `subscribe` (otherwise the core polls); a watch ends when the driver ends its
 * subscription (`subscribe`'s `onEnd`).
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

/** Options of {@link keyValueBackend}. */
export interface KeyValueBackendOptions {
  logger?: Logger;
}

/** Lift a key-value driver into a full result backend. */
export function keyValueBackend(driver: KeyValueDriver, options: KeyValueBackendOptions = {}): ResultBackend {
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

  const backend: ResultBackend = {
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
