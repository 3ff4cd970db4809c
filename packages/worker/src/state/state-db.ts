/**
 * The worker's state db (`--statedb <file>`, Celery's `Persistent`): the revoked task ids and the logical clock,
 * kept across restarts. Celery keeps them in a Python `shelve` (zlib-compressed pickles), which nothing but Python
 * reads; q writes its own file, one JSON document:
 *
 * ```json
 * {"format":"q-worker-state","version":1,"savedAt":"2026-12-07T05:00:00.000Z","clock":42,
 *  "revoked":[["d9078da5-9915-40a0-bfa1-392c7bde42ed",1765083600.123]]}
 * ```
 *
 * `revoked` holds `[taskId, revokedAt]` pairs, oldest first, `revokedAt` in seconds since the epoch; `clock` is
 * the clock's value when saved. Loading merges the ids (keeping their times), purges those past the set's limits
 * and moves the clock past the saved value; saving purges, ticks the clock and replaces the file atomically (a
 * temporary file in the same directory, flushed, renamed over it), so a crash leaves the old file or the new one.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '@q/core';
import type { NodeState } from './node-state.js';

/** `format` of a q state db. */
export const STATE_DB_FORMAT = 'q-worker-state';
/** The version this worker writes and reads. */
export const STATE_DB_VERSION = 1;

/** A state db as stored. */
export interface StateDbDocument {
  format: typeof STATE_DB_FORMAT;
  version: number;
  savedAt: string;
  clock: number;
  revoked: [string, number][];
}

function invalid(file: string, what: string): ConfigError {
  return new ConfigError('Q_ERR_CONFIG_INVALID', `statedb ${file}: ${what}`);
}

/** Parse and check a state db's text. @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the file. */
export function parseStateDb(file: string, text: string): StateDbDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `statedb ${file}: not a q state db (${(err as Error).message})`, { cause: err });
  }
  const d = doc as Partial<StateDbDocument> | null;
  if (d === null || typeof d !== 'object' || d.format !== STATE_DB_FORMAT) throw invalid(file, `not a q state db (expected "format": "${STATE_DB_FORMAT}")`);
  if (d.version !== STATE_DB_VERSION) throw invalid(file, `version ${String(d.version)} is not supported (this worker reads ${STATE_DB_VERSION})`);
  if (typeof d.clock !== 'number' || !Number.isFinite(d.clock)) throw invalid(file, '"clock" must be a number');
  const pairs = d.revoked;
  if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number')) {
    throw invalid(file, '"revoked" must be a list of [taskId, seconds] pairs');
  }
  return d as StateDbDocument;
}

/**
 * Merge the state db at `file` into `state` (nothing when the file does not exist). Returns whether it existed.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a file that is not a q state db.
 */
export async function loadStateDb(file: string, state: NodeState): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const doc = parseStateDb(file, text);
  state.revoked.merge(doc.revoked);
  state.revoked.purge();
  state.clock.adjust(doc.clock);
  return true;
}

/** The document {@link saveStateDb} writes (purges the revoked set and ticks the clock). */
export function stateDbDocument(state: NodeState): StateDbDocument {
  state.revoked.purge();
  return {
    format: STATE_DB_FORMAT,
    version: STATE_DB_VERSION,
    savedAt: new Date().toISOString(),
    clock: state.clock.forward(),
    revoked: state.revoked.asDict(),
  };
}

/** Save `state` to `file`, atomically (see the module comment); creates the file's directory. */
export async function saveStateDb(file: string, state: NodeState): Promise<void> {
  const text = JSON.stringify(stateDbDocument(state));
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
