/**
 * What remote control remembers of each worker between requests: when its pidbox started (`stats.uptime`) and the
 * memory samples `memsample` took (`memdump`). Kept beside the worker, not in it, so commands stay plain functions.
 */

/** Per-worker records. */
export interface NodeRecords {
  /** When the pidbox started, epoch ms. */
  startedAt: number;
  /** RSS samples taken by `memsample`, oldest first (at most {@link MAX_MEM_SAMPLES}). */
  memSamples: string[];
  /** `hello` requests from this node's own name its pidbox answered (mingle tells its own reply from a namesake's). */
  ownHellos: number;
}

/** Samples kept for `memdump`. */
export const MAX_MEM_SAMPLES = 60;

const records = new WeakMap<object, NodeRecords>();

/** The records of `worker` (created, started now, on first use). */
export function nodeRecords(worker: object): NodeRecords {
  let r = records.get(worker);
  if (r === undefined) {
    r = { startedAt: Date.now(), memSamples: [], ownHellos: 0 };
    records.set(worker, r);
  }
  return r;
}
