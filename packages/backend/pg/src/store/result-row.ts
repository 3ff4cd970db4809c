/**
 * A task state as a `celery_taskmeta` row and back, as Celery's database backend writes and reads it:
 *
 * - `result`: the Python pickle (protocol 5) of the value; for exception states (FAILURE, RETRY, REVOKED) the
 *   exception dict with `exc_message` as a tuple, key order `exc_type`, `exc_message`, `exc_module`;
 * - `date_done`: naive UTC, NULL until ready; `traceback` text;
 * - extended columns (`result_extended`): `args`/`kwargs` as the JSON bytes Python's `json.dumps` writes;
 * - `q_meta` (tables q created): `children`, `group_id`, `parent_id`, which Celery's tables do not keep.
 */
import { isExceptionState, type TaskMeta } from '@q/core';
import { pyJsonParse, pyJsonStringify } from '@q/core/adapter';
import { decodePickle, encodePickle, pickleTuple } from '../pickle/index.js';
import { naiveUtcText } from './naive-utc.js';

/** Which optional columns the task table has. */
export interface TaskColumns {
  /** `name`, `args`, `kwargs`, `worker`, `retries`, `queue`. */
  readonly extended: boolean;
  /** q's `q_meta`. */
  readonly qMeta: boolean;
}

/** The values of one row to write, in the order of {@link ROW_FIELDS}. */
export interface TaskRow {
  task_id: string;
  status: string;
  result: Uint8Array;
  date_done: string | null;
  traceback: string | null;
  name: string | null;
  args: Uint8Array | null;
  kwargs: Uint8Array | null;
  worker: string | null;
  retries: number | null;
  queue: string | null;
  q_meta: string | null;
}

/** A row as read. */
export interface StoredTaskRow {
  task_id: string;
  status: string | null;
  result: Uint8Array | null;
  date_done: string | Date | null;
  traceback: string | null;
  name?: string | null;
  args?: Uint8Array | null;
  kwargs?: Uint8Array | null;
  worker?: string | null;
  retries?: number | null;
  queue?: string | null;
  q_meta?: unknown;
}

const record = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** The value Celery pickles into `result`: exception dicts with `exc_message` as a tuple. */
function storedValue(meta: TaskMeta): unknown {
  const exc = isExceptionState(meta.status) ? record(meta.result) : null;
  if (exc !== null && 'exc_type' in exc) {
    const message = exc['exc_message'];
    const args = Array.isArray(message) ? message : message === undefined || message === null ? [] : [message];
    return { ...exc, exc_type: exc['exc_type'], exc_message: pickleTuple(args), exc_module: exc['exc_module'] ?? null };
  }
  return meta.result;
}

const utf8 = new TextEncoder();
const jsonBytes = (value: unknown): Uint8Array => utf8.encode(pyJsonStringify(value));

/** The row for `meta`. @throws SerializationError when the result cannot be pickled. */
export function toTaskRow(meta: TaskMeta): TaskRow {
  const ext = meta.extended;
  const extra: Record<string, unknown> = {};
  if (meta.children.length > 0) extra['children'] = meta.children;
  if (meta.groupId != null) extra['group_id'] = meta.groupId;
  if (meta.parentId != null) extra['parent_id'] = meta.parentId;
  return {
    task_id: meta.taskId,
    status: meta.status,
    result: encodePickle(storedValue(meta)),
    date_done: meta.dateDone,
    traceback: meta.traceback,
    name: ext?.name ?? null,
    args: ext ? jsonBytes(ext.args) : null,
    kwargs: ext ? jsonBytes(ext.kwargs) : null,
    worker: ext?.worker ?? null,
    retries: ext?.retries ?? null,
    queue: ext?.queue ?? null,
    q_meta: Object.keys(extra).length > 0 ? pyJsonStringify(extra) : null,
  };
}

const utf8Decoder = new TextDecoder();
const jsonOf = (bytes: Uint8Array | null | undefined): unknown => (bytes == null ? null : pyJsonParse(utf8Decoder.decode(bytes)));

/** The meta of a stored row. @throws SerializationError for a result q does not unpickle (a Python object). */
export function fromTaskRow(row: StoredTaskRow, columns: TaskColumns): TaskMeta {
  const meta: TaskMeta = {
    taskId: row.task_id,
    status: row.status ?? 'PENDING',
    result: row.result == null ? null : decodePickle(row.result),
    traceback: row.traceback,
    children: [],
    dateDone: row.date_done == null ? null : naiveUtcText(row.date_done),
  };
  if (columns.qMeta) {
    const extra = record(typeof row.q_meta === 'string' ? pyJsonParse(row.q_meta) : row.q_meta);
    if (extra !== null) {
      if (Array.isArray(extra['children'])) meta.children = extra['children'];
      if (typeof extra['group_id'] === 'string') meta.groupId = extra['group_id'];
      if (typeof extra['parent_id'] === 'string') meta.parentId = extra['parent_id'];
    }
  }
  if (columns.extended && (row.name != null || row.worker != null || row.args != null)) {
    const args = jsonOf(row.args);
    const kwargs = record(jsonOf(row.kwargs));
    meta.extended = {
      name: row.name ?? null,
      args: Array.isArray(args) ? args : null,
      kwargs,
      worker: row.worker ?? null,
      retries: row.retries ?? null,
      queue: row.queue ?? null,
    };
  }
  return meta;
}
