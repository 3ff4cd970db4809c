/**
 * The `shared-revokes` bootstep (q's own; Celery keeps revoked ids in each worker only, so they are lost when every
 * worker restarts at once without a state db): revoked task ids are also kept in the app's result backend, which
 * every worker shares (`ResultBackend.saveRevoked`/`loadRevoked`).
 *
 * - Start (right after `connection`, so before `mingle` and the consumer): the worker merges the ids the backend
 *   kept, up to its revoked set's limits (`REVOKES_MAX` ids revoked within `REVOKE_EXPIRES`), keeping their times.
 *   A task revoked before every worker stopped is so skipped by the first worker that starts, and mingle then
 *   hands the ids to the workers already running.
 * - Running: each revoke on this node (`worker.revoke`, the `revoke` command) is saved at once, as one batch; revokes
 *   made while a save is in flight go out together in the next one. Ids merged from the backend, a state db or
 *   mingle are not saved again (they do not come through `NodeState.revoke`).
 * - Stop (after the consumer and the pidbox, before `connection` closes the app): the last revokes are saved.
 *
 * Enabled with `shareRevokes` (default `worker.shareRevokes`, true) on a backend that has both members. A backend
 * error is logged as a warning and the worker goes on: a load that fails (or takes more than
 * {@link SHARED_REVOKES_LOAD_TIMEOUT_MS}) starts the worker without the shared ids, a save that fails loses that
 * batch for the other workers (this worker still has the ids).
 */
import type { Bootstep, ResultBackend } from '@q/core';
import type { WorkerHost } from '../blueprint/worker-host.js';
import { REVOKE_EXPIRES, REVOKES_MAX, type NodeState } from './node-state.js';

/** How long a starting worker waits for the backend's revoked ids before it goes on without them (ms). */
export const SHARED_REVOKES_LOAD_TIMEOUT_MS = 5_000;

/** A result backend that keeps revoked ids. */
type SharingBackend = ResultBackend & Required<Pick<ResultBackend, 'saveRevoked' | 'loadRevoked'>>;

interface Sharing {
  backend: SharingBackend;
  /** Ids revoked and not yet handed to a save, with the time of the first of them. */
  pending: string[];
  pendingAt: number;
  /** The save in flight (and those chained after it). */
  saving: Promise<void>;
  flushQueued: boolean;
  unlisten: () => void;
}

const sharings = new WeakMap<WorkerHost, Sharing>();

function sharingBackend(backend: ResultBackend | null | undefined): SharingBackend | null {
  return backend && typeof backend.saveRevoked === 'function' && typeof backend.loadRevoked === 'function' ? (backend as SharingBackend) : null;
}

/** How long the backend keeps a revoked id (ms): the revoked set's `expires`. */
function ttlMs(state: NodeState): number {
  return (state.revoked.expires > 0 ? state.revoked.expires : REVOKE_EXPIRES) * 1000;
}

/** Merge the backend's revoked ids into the node state; a failure or a timeout is logged. */
async function load(host: WorkerHost, state: NodeState, backend: SharingBackend): Promise<void> {
  const ttl = ttlMs(state);
  const limit = state.revoked.maxlen > 0 ? state.revoked.maxlen : REVOKES_MAX;
  const loading = backend.loadRevoked({ since: Date.now() - ttl, limit }).then((entries) => {
    if (entries.length === 0) return 0;
    state.revoked.merge(entries.map(({ id, at }) => [id, at / 1000] as const));
    state.revoked.purge();
    state.revision += 1;
    return entries.length;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SHARED_REVOKES_LOAD_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const loaded = await Promise.race([loading, timeout]);
    if (loaded === 'timeout') {
      host.logger.warn({ backend: backend.describe() }, `shared revokes: no answer from the result backend within ${SHARED_REVOKES_LOAD_TIMEOUT_MS} ms; starting without its revoked ids`);
      // Merged whenever it comes; a late failure is only logged.
      loading.then(
        (n) => host.logger.info({ revoked: n }, `shared revokes: ${n} revoked ids loaded late from the result backend`),
        (err: unknown) => host.logger.warn({ err }, 'shared revokes: could not load the revoked ids from the result backend'),
      );
      return;
    }
    host.logger.debug({ revoked: loaded, backend: backend.describe() }, `shared revokes: ${loaded} revoked ids loaded from the result backend`);
  } catch (err) {
    host.logger.warn({ err, backend: backend.describe() }, 'shared revokes: could not load the revoked ids from the result backend; starting without them');
  } finally {
    clearTimeout(timer);
  }
}

/** Save what is pending, after the save in flight; a failure is logged. */
function flush(host: WorkerHost, sharing: Sharing, ttl: number): Promise<void> {
  if (sharing.flushQueued) return sharing.saving;
  sharing.flushQueued = true;
  sharing.saving = sharing.saving.then(async () => {
    sharing.flushQueued = false;
    const ids = sharing.pending;
    if (ids.length === 0) return;
    sharing.pending = [];
    try {
      await sharing.backend.saveRevoked(ids, { at: sharing.pendingAt, ttlMs: ttl });
    } catch (err) {
      host.logger.warn({ err, revoked: ids.length }, `shared revokes: could not save ${ids.length} revoked ids to the result backend (the other workers will not know them after a restart)`);
    }
  });
  return sharing.saving;
}

/** Shares the node's revoked ids through the result backend; see the module comment. */
export const sharedRevokesStep: Bootstep<WorkerHost> = {
  name: 'shared-revokes',
  requires: ['connection'],
  enabled: (host) => host.options.shareRevokes && host.nodeState !== undefined && sharingBackend(host.parts.backend) !== null,
  async start(host) {
    const state = host.nodeState;
    const backend = sharingBackend(host.parts.backend);
    if (state === undefined || backend === null) return;
    const ttl = ttlMs(state);
    const sharing: Sharing = { backend, pending: [], pendingAt: 0, saving: Promise.resolve(), flushQueued: false, unlisten: () => undefined };
    // Listen first: a revoke that comes while the load runs is saved too.
    sharing.unlisten = state.onRevoke((ids, at) => {
      if (sharing.pending.length === 0) sharing.pendingAt = at;
      sharing.pending.push(...ids);
      void flush(host, sharing, ttl);
    });
    sharings.set(host, sharing);
    await load(host, state, backend);
  },
  async stop(host) {
    const sharing = sharings.get(host);
    if (sharing === undefined) return;
    sharings.delete(host);
    sharing.unlisten();
    const state = host.nodeState;
    await flush(host, sharing, state === undefined ? REVOKE_EXPIRES * 1000 : ttlMs(state));
  },
};
