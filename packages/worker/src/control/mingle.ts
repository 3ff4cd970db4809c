/**
 * Mingle (Celery's `Mingle` bootstep): a starting worker broadcasts `hello` with its node name and revoked ids,
 * merges the revoked ids the other workers reply with and moves its clock past theirs, so a task revoked while it
 * was down is not run by it.
 *
 * Celery waits the whole timeout (1 s) for replies. q's worker answers its own `hello` (its pidbox is up, and
 * replies `null` to itself, as Celery's `hello` does): once that reply came back, the broker's round trip is known,
 * and mingle ends after {@link MINGLE_QUIET_MS} without a new reply instead of the full second.
 */
import type { NodeReply } from '@q/core';
import type { ControlledWorker } from './controlled-worker.js';
import { nodeRecords } from './node-records.js';
import { mergeRevoked, revokedEntries } from './revoked-entries.js';

/** Celery's mingle timeout, seconds. */
export const MINGLE_TIMEOUT = 1;
/** Once this worker's own reply came, mingle ends after this long without another reply (ms). */
export const MINGLE_QUIET_MS = 100;

/** What mingle did. */
export interface MingleResult {
  /** Nodes whose revoked ids and clock were merged. */
  synced: string[];
  /** Revoked ids read from their replies. */
  revoked: number;
  /** More replies than expected came from this worker's own node name (another worker uses it). */
  duplicate: boolean;
}

/**
 * Mingles `worker`; `ownReply`: whether its own pidbox answers (then mingle may end early, once a reply from its
 * own name came). A failure to broadcast is logged and mingle gives up: the worker starts anyway.
 */
export async function mingle(worker: ControlledWorker, ownReply: boolean): Promise<MingleResult> {
  const { hostname, logger } = worker;
  const replies: NodeReply[] = [];
  let own = 0;
  let quiet: ReturnType<typeof setTimeout> | undefined;
  let endEarly!: () => void;
  const early = new Promise<void>((resolve) => {
    endEarly = resolve;
  });
  const onReply = (reply: NodeReply): void => {
    replies.push(reply);
    if (Object.hasOwn(reply, hostname)) own += 1;
    if (ownReply && own > 0) {
      clearTimeout(quiet);
      quiet = setTimeout(endEarly, MINGLE_QUIET_MS);
    }
  };
  const records = nodeRecords(worker);
  const answeredBefore = records.ownHellos;
  logger.info('mingle: searching for neighbors');
  try {
    const broadcast = worker.app.control.broadcast('hello', {
      arguments: { from_node: hostname, revoked: revokedEntries(worker.nodeState.revoked) },
      reply: true,
      timeout: MINGLE_TIMEOUT,
      callback: onReply,
    });
    // Ending early leaves the collection to run out its timeout: a late failure of it is of no interest then.
    broadcast.catch(() => undefined);
    await Promise.race([broadcast, early]);
  } catch (err) {
    logger.warn({ err }, 'mingle: could not reach the other workers');
  } finally {
    clearTimeout(quiet);
  }
  // Replies from our own name beyond those our pidbox sent come from another worker with our name (on a shared
  // queue — AMQP, the memory broker — that one may even have taken our request: then ours is missing).
  const result: MingleResult = { synced: [], revoked: 0, duplicate: own > records.ownHellos - answeredBefore };
  if (result.duplicate) {
    logger.warn(`Received multiple replies from node name: ${hostname}. Please make sure you give each node a unique nodename using the q worker \`-n\` option.`);
  }
  for (const reply of replies) {
    for (const [node, value] of Object.entries(reply)) {
      if (node === hostname || value === null || typeof value !== 'object') continue;
      const { revoked, clock } = value as { revoked?: unknown; clock?: unknown };
      result.revoked += mergeRevoked(worker.nodeState.revoked, revoked);
      if (typeof clock === 'number' && Number.isFinite(clock)) worker.clock.adjust(clock);
      result.synced.push(node);
    }
  }
  if (result.revoked > 0) worker.nodeState.revision += 1;
  if (result.synced.length === 0) logger.info('mingle: all alone');
  else {
    logger.info(`mingle: sync with ${result.synced.length} nodes`);
    logger.info('mingle: sync complete');
  }
  return result;
}
