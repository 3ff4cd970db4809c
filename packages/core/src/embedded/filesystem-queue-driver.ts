/**
 * The embedded broker (`filesystem:///abs/dir`): a lease-based queue driver on plain files, with no native
 * dependency. Cross-process, durable and at-least-once:
 *
 * - `queues/<queue>/` holds ready messages, one file each, written atomically (temporary file + rename). File names
 *   sort by priority step (0 first), then "restored before new", then time, then a sequence number.
 * - `reserve` claims a file by renaming it into `unacked/<queue>/<claim time>~<name>`; `rename` is atomic, so of two
 *   processes racing for a file exactly one wins (the loser gets ENOENT and moves on).
 * - `ack` deletes the claim; `release` puts the message back (marked redelivered) so it is delivered next.
 * - A sweep, run by `reserve` at most every few seconds, restores claims older than the visibility timeout, so the
 *   messages of a worker killed with SIGKILL come back. A claim is always re-claimed (renamed) before it is restored,
 *   so two sweepers never restore the same message twice, and a crash mid-restore loses nothing.
 * - Bindings are files under `bindings/<exchange>/`, visible to every process.
 *
 * `reserve` polls the folders (`readdir`, cheap) every `pollIntervalMs` while it waits.
 */
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Lease,
  PutOptions,
  QueueDriver,
  QueueDriverCapabilities,
  ReserveOptions,
  StoredBinding,
} from '../contracts/queue-driver.js';
import { QError } from '../errors/q-error.js';
import { markRedelivered } from '../protocol/envelope.js';
import { priorityStep } from '../transport/priority-steps.js';
import { dirMaker, isNotFound, listDir, readIfExists, removeIfExists, writeAtomic } from './fs-util.js';
import { safeName } from './safe-name.js';

/** Options of {@link filesystemQueueDriver}. */
export interface FilesystemQueueDriverOptions {
  /** Directory of the broker (created if missing). */
  dir: string;
  /**
   * How long a reserved, unacknowledged message stays invisible before it is delivered again (default 30 minutes;
   * `virtualTransport({ leaseRenewalMs })` keeps the leases of live workers from expiring).
   */
  visibilityTimeoutMs?: number;
  /** How often a waiting `reserve` looks for new files (default 50 ms). */
  pollIntervalMs?: number;
  /** Flush each message to disk before it becomes visible (default true). */
  fsync?: boolean;
}

/** Default visibility timeout: 30 minutes. */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 30 * 60 * 1000;

const MSG = '.msg';
const CLAIM_SEP = '~';
const TIME_WIDTH = 15;

interface Held {
  /** Folder name of the queue. */
  dirName: string;
  /** Current claim file name in `unacked/<dirName>/`. */
  claim: string;
}

const CAPABILITIES: QueueDriverCapabilities = Object.freeze({
  priorities: 'steps',
  nativeDelay: false,
  fanout: false,
  blockingReserve: false,
  persistentBindings: true,
});

/** Create a filesystem queue driver. */
export function filesystemQueueDriver(options: FilesystemQueueDriverOptions): QueueDriver {
  const root = options.dir;
  const queuesDir = join(root, 'queues');
  const unackedDir = join(root, 'unacked');
  const bindingsDir = join(root, 'bindings');
  const tmpDir = join(root, 'tmp');
  const visibilityMs = options.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS;
  const pollMs = options.pollIntervalMs ?? 50;
  const sweepEveryMs = Math.min(5000, Math.max(20, Math.floor(visibilityMs / 4)));
  const sync = options.fsync ?? true;
  const ensureDir = dirMaker();
  const held = new Map<Lease, Held>();
  let lastTime = 0;
  let seq = 0;
  let lastSweep = 0;
  let sweeping: Promise<void> | null = null;

  /** `<step>-<0 restored | 1 new>-<time>-<pid>-<seq>.msg`. */
  function messageName(priority: number, restored: boolean): string {
    lastTime = Math.max(lastTime, Date.now());
    seq = (seq + 1) % 1e9;
    const time = String(lastTime).padStart(TIME_WIDTH, '0');
    return `${priorityStep(priority)}-${restored ? 0 : 1}-${time}-${process.pid}-${String(seq).padStart(9, '0')}${MSG}`;
  }

  const claimName = (name: string): string => `${String(Date.now()).padStart(TIME_WIDTH, '0')}${CLAIM_SEP}${name}`;
  const claimedAt = (claim: string): number => Number(claim.slice(0, claim.indexOf(CLAIM_SEP)));
  const originalName = (claim: string): string => claim.slice(claim.indexOf(CLAIM_SEP) + 1);

  async function writeMessage(dirName: string, name: string, payload: string): Promise<void> {
    const dir = join(queuesDir, dirName);
    await ensureDir(dir);
    await ensureDir(tmpDir);
    await writeAtomic(tmpDir, join(dir, name), payload, sync);
  }

  /** Re-claim `claim` (atomic rename, so only one caller wins), put a redelivered copy back, drop the claim. */
  async function restore(dirName: string, claim: string): Promise<boolean> {
    const claimDir = join(unackedDir, dirName);
    const mine = claimName(originalName(claim));
    try {
      await rename(join(claimDir, claim), join(claimDir, mine));
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    const payload = await readFile(join(claimDir, mine), 'utf8');
    const step = Number(originalName(claim).charAt(0)) || 0;
    await writeMessage(dirName, messageName(step, true), markRedelivered(payload));
    await removeIfExists(join(claimDir, mine));
    return true;
  }

  async function sweep(): Promise<void> {
    const now = Date.now();
    for (const dirName of await listDir(unackedDir)) {
      for (const claim of await listDir(join(unackedDir, dirName))) {
        if (!claim.endsWith(MSG) || now - claimedAt(claim) <= visibilityMs) continue;
        await restore(dirName, claim);
      }
    }
  }

  function maybeSweep(): Promise<void> {
    if (sweeping) return sweeping;
    if (Date.now() - lastSweep < sweepEveryMs) return Promise.resolve();
    lastSweep = Date.now();
    sweeping = sweep().finally(() => {
      sweeping = null;
    });
    return sweeping;
  }

  async function tryReserve(queues: readonly string[], max: number): Promise<Lease[]> {
    const candidates: { queue: string; dirName: string; order: number; name: string }[] = [];
    for (const [order, queue] of queues.entries()) {
      const dirName = safeName(queue);
      for (const name of await listDir(join(queuesDir, dirName))) {
        if (name.endsWith(MSG)) candidates.push({ queue, dirName, order, name });
      }
    }
    // Step first (the name's first character), then the order of the queues, then the name.
    candidates.sort((a, b) => a.name.charCodeAt(0) - b.name.charCodeAt(0) || a.order - b.order || (a.name < b.name ? -1 : 1));
    const out: Lease[] = [];
    for (const c of candidates) {
      if (out.length >= max) break;
      const claimDir = join(unackedDir, c.dirName);
      await ensureDir(claimDir);
      const claim = claimName(c.name);
      try {
        await rename(join(queuesDir, c.dirName, c.name), join(claimDir, claim));
      } catch (error) {
        if (isNotFound(error)) continue; // another consumer won the race
        throw error;
      }
      const payload = await readFile(join(claimDir, claim), 'utf8');
      const lease: Lease = Object.freeze({ queue: c.queue, payload, tag: deliveryTag(payload, c.name) });
      held.set(lease, { dirName: c.dirName, claim });
      out.push(lease);
    }
    return out;
  }

  function heldOf(lease: Lease): Held | null {
    return held.get(lease) ?? null;
  }

  return {
    capabilities: CAPABILITIES,
    async connect() {
      for (const dir of [queuesDir, unackedDir, bindingsDir, tmpDir]) await ensureDir(dir);
    },
    async close() {
      const leases = [...held.values()];
      held.clear();
      // Restore every lease even if one fails; report the first failure.
      const results = await Promise.allSettled(leases.map((h) => restore(h.dirName, h.claim)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async put(queue: string, payload: string, putOptions: PutOptions) {
      await writeMessage(safeName(queue), messageName(putOptions.priority, false), payload);
    },
    async reserve(queues: readonly string[], reserveOptions: ReserveOptions) {
      const max = Math.max(1, reserveOptions.max);
      const deadline = Date.now() + Math.max(0, reserveOptions.waitMs);
      for (;;) {
        await maybeSweep();
        const got = await tryReserve(queues, max);
        const left = deadline - Date.now();
        if (got.length > 0 || left <= 0 || reserveOptions.signal?.aborted) return got;
        try {
          await sleep(Math.min(pollMs, left), undefined, reserveOptions.signal ? { signal: reserveOptions.signal } : {});
        } catch {
          return []; // aborted
        }
      }
    },
    async ack(lease: Lease) {
      const h = heldOf(lease);
      if (!h) return;
      held.delete(lease);
      // ENOENT: the claim expired and was restored by a sweep; the message will be delivered again (at-least-once).
      await removeIfExists(join(unackedDir, h.dirName, h.claim));
    },
    async release(lease: Lease) {
      const h = heldOf(lease);
      if (!h) return;
      held.delete(lease);
      await restore(h.dirName, h.claim);
    },
    async extendLease(lease: Lease) {
      const h = heldOf(lease);
      if (!h) return;
      const claimDir = join(unackedDir, h.dirName);
      const renewed = claimName(originalName(h.claim));
      try {
        await rename(join(claimDir, h.claim), join(claimDir, renewed));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        held.delete(lease);
        throw new QError('Q_ERR_LEASE_LOST', `lease ${lease.tag} on ${lease.queue} expired before it was extended`, { cause: error });
      }
      h.claim = renewed;
    },
    async purge(queue: string) {
      const dir = join(queuesDir, safeName(queue));
      let n = 0;
      for (const name of await listDir(dir)) {
        if (name.endsWith(MSG) && (await removeIfExists(join(dir, name)))) n++;
      }
      return n;
    },
    async size(queue: string) {
      return (await listDir(join(queuesDir, safeName(queue)))).filter((name) => name.endsWith(MSG)).length;
    },
    async bind(exchange: string, binding: StoredBinding) {
      const dir = join(bindingsDir, safeName(exchange));
      await ensureDir(dir);
      await ensureDir(tmpDir);
      const text = JSON.stringify({ routingKey: binding.routingKey, pattern: binding.pattern, queue: binding.queue });
      const name = `${createHash('sha256').update(text).digest('hex').slice(0, 40)}.json`;
      await writeAtomic(tmpDir, join(dir, name), text, sync);
    },
    async bindings(exchange: string) {
      const dir = join(bindingsDir, safeName(exchange));
      const out: StoredBinding[] = [];
      for (const name of (await listDir(dir)).sort()) {
        if (!name.endsWith('.json')) continue;
        const text = await readIfExists(join(dir, name));
        if (text !== null) out.push(JSON.parse(text) as StoredBinding);
      }
      return out;
    },
    describe() {
      return `filesystem://${root}`;
    },
  };
}

/** The envelope's `properties.delivery_tag`, or the file name when the payload has none. */
function deliveryTag(payload: string, fallback: string): string {
  try {
    const envelope = JSON.parse(payload) as { properties?: { delivery_tag?: unknown } };
    const tag = envelope.properties?.delivery_tag;
    return typeof tag === 'string' && tag !== '' ? tag : fallback;
  } catch {
    return fallback;
  }
}
