/**
 * The `statedb` bootstep (Celery's `StateDB` step): with `statedb` set, the worker merges the file into its node
 * state before anything consumes, saves it every {@link STATE_DB_SYNC_MS} while something changed, and once more
 * when it stops (it is the first step to start, so the last to stop: after the consumer and the pool).
 */
import type { Bootstep } from '@q/core';
import type { WorkerHost } from '../blueprint/worker-host.js';
import { loadStateDb, saveStateDb } from './state-db.js';

/** How often a running worker saves its state db when something changed (ms). */
export const STATE_DB_SYNC_MS = 10_000;

interface Sync {
  file: string;
  timer: ReturnType<typeof setInterval>;
  /** The node state's revision and clock value as last saved. */
  saved: { revision: number; clock: number };
  saving: Promise<void>;
}

const syncs = new WeakMap<WorkerHost, Sync>();

/** Save when the revoked ids or the clock moved since the last save; a failure is logged. */
function save(host: WorkerHost, sync: Sync, force: boolean): Promise<void> {
  const state = host.nodeState;
  if (state === undefined) return Promise.resolve();
  sync.saving = sync.saving.then(async () => {
    if (!force && state.revision === sync.saved.revision && state.clock.value === sync.saved.clock) return;
    const revision = state.revision;
    try {
      await saveStateDb(sync.file, state);
      sync.saved = { revision, clock: state.clock.value };
    } catch (err) {
      host.logger.error({ err, statedb: sync.file }, `could not save the state db ${sync.file}`);
    }
  });
  return sync.saving;
}

/** Loads the state db at start, saves it periodically and at stop. */
export const stateDbStep: Bootstep<WorkerHost> = {
  name: 'statedb',
  enabled: (host) => host.options.statedb !== null && host.nodeState !== undefined,
  async start(host) {
    const file = host.options.statedb as string;
    const state = host.nodeState;
    if (state === undefined) return;
    const found = await loadStateDb(file, state);
    host.logger.debug({ statedb: file, revoked: state.revoked.size, clock: state.clock.value }, found ? `state db ${file} loaded` : `state db ${file} is new`);
    const sync: Sync = { file, timer: setInterval(() => void save(host, sync, false), STATE_DB_SYNC_MS), saved: { revision: -1, clock: -1 }, saving: Promise.resolve() };
    sync.timer.unref();
    syncs.set(host, sync);
    await save(host, sync, true);
  },
  async stop(host) {
    const sync = syncs.get(host);
    if (sync === undefined) return;
    syncs.delete(host);
    clearInterval(sync.timer);
    await save(host, sync, true);
  },
};
