/**
 * Celery's result documents as key-value backends store them (`celery-task-meta-<id>`), group metas
 * (`celery-taskset-meta-<gid>`) and result tuples (`[[id, parent], children]`), byte-compatible with Python.
 */
import type { ExtendedMeta, TaskMeta } from '../contracts/index.js';
import { ProtocolError } from '../errors/q-error.js';
import { pyJsonParse, pyJsonStringify } from './python-json.js';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** States whose `result` is an encoded exception. */
const EXCEPTION_STATES = new Set(['FAILURE', 'RETRY', 'REVOKED']);
const EXTENDED_KEYS = ['name', 'args', 'kwargs', 'worker', 'retries', 'queue'] as const;

/**
 * The stored JSON text of a task's state, in Celery's key order: `status`, `result`, `traceback`,
 * `children`, `date_done`, then `group_id` / `parent_id` when set, the `result_extended` fields when
 * `meta.extended` is given, and `task_id` last.
 */
export function encodeResultDocument(meta: TaskMeta): string {
  const doc: Rec = {
    status: meta.status,
    result: meta.result,
    traceback: meta.traceback,
    children: meta.children,
    date_done: meta.dateDone,
  };
  if (meta.groupId) doc.group_id = meta.groupId;
  if (meta.parentId) doc.parent_id = meta.parentId;
  if (meta.extended) {
    const e = meta.extended;
    Object.assign(doc, { name: e.name, args: e.args, kwargs: e.kwargs, worker: e.worker, retries: e.retries, queue: e.queue });
  }
  doc.task_id = meta.taskId;
  return pyJsonStringify(doc);
}

/**
 * The body of an `rpc://` result message, in Celery's key order (`RPCBackend._to_result`): `task_id`, `status`,
 * `result`, `traceback`, `children`. No `date_done`, group, parent or extended fields: Celery sends none.
 * {@link decodeResultDocument} reads it back (`dateDone` is then `null`).
 */
export function encodeRpcResult(meta: TaskMeta): string {
  return pyJsonStringify({
    task_id: meta.taskId,
    status: meta.status,
    result: meta.result,
    traceback: meta.traceback,
    children: meta.children,
  });
}

function malformed(reason: string, cause?: unknown): never {
  throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `malformed result document: ${reason}`, cause === undefined ? {} : { cause });
}

function parseObject(text: string, what: string): Rec {
  let doc: unknown;
  try {
    doc = pyJsonParse(text);
  } catch (cause) {
    malformed(`${what} is not JSON (${String(cause)})`, cause);
  }
  if (!isRecord(doc)) malformed(`${what} is not a JSON object`);
  return doc;
}

const optString = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Read a stored result document. Optional keys may be missing (older Celery versions, other writers);
 * `taskId` is used when the document has no `task_id`. An exception result whose `exc_message` is not an
 * array (older writers) is normalized to a one-element array.
 *
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` when the text is not a JSON object with a string `status`.
 */
export function decodeResultDocument(text: string, taskId?: string): TaskMeta {
  const doc = parseObject(text, 'document');
  if (typeof doc.status !== 'string') malformed('"status" must be a string');
  let result = doc.result ?? null;
  if (EXCEPTION_STATES.has(doc.status) && isRecord(result) && typeof result.exc_type === 'string' && !Array.isArray(result.exc_message)) {
    result = { ...result, exc_message: result.exc_message === undefined ? [] : [result.exc_message] };
  }
  const meta: TaskMeta = {
    taskId: optString(doc.task_id) ?? taskId ?? '',
    status: doc.status,
    result,
    traceback: optString(doc.traceback),
    children: Array.isArray(doc.children) ? doc.children : [],
    dateDone: optString(doc.date_done),
  };
  if ('group_id' in doc) meta.groupId = optString(doc.group_id);
  if ('parent_id' in doc) meta.parentId = optString(doc.parent_id);
  if (EXTENDED_KEYS.some((k) => k in doc)) {
    const extended: ExtendedMeta = {
      name: optString(doc.name),
      args: Array.isArray(doc.args) ? doc.args : null,
      kwargs: isRecord(doc.kwargs) ? doc.kwargs : null,
      worker: optString(doc.worker),
      retries: typeof doc.retries === 'number' ? doc.retries : null,
      queue: optString(doc.queue),
    };
    meta.extended = extended;
  }
  return meta;
}

/** A result tuple as Celery's `AsyncResult.as_tuple()`: `[[id, parent], null]` (`parent` a tuple or null). */
export type ResultTuple = [[string, unknown], unknown[] | null];

/** The tuple of one task result, for `children` and group metas: `[[id, parent ?? null], null]`. */
export function resultTuple(id: string, parent: unknown = null): ResultTuple {
  return [[id, parent ?? null], null];
}

/** The tuple of a group result: `[[groupId, parent ?? null], [member tuples…]]`. */
export function groupResultTuple(groupId: string, members: readonly (string | ResultTuple)[], parent: unknown = null): ResultTuple {
  return [[groupId, parent ?? null], members.map((m) => (typeof m === 'string' ? resultTuple(m) : m))];
}

/** The id, parent tuple and member tuples (groups) of a result tuple, or null when `value` is not one. */
export function readResultTuple(value: unknown): { id: string; parent: unknown; members: unknown[] | null } | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [head, members] = value as [unknown, unknown];
  if (!Array.isArray(head) || head.length !== 2 || typeof head[0] !== 'string') return null;
  if (members !== null && !Array.isArray(members)) return null;
  return { id: head[0], parent: head[1] ?? null, members };
}

/**
 * `{"result": [[gid, null], [[[id1, null], null], …]]}` as stored under `celery-taskset-meta-<gid>`.
 * `group` is either the group's result tuple (stored as is) or its members (task ids or result tuples).
 */
export function encodeGroupMeta(groupId: string, group: unknown): string {
  const tuple = readResultTuple(group);
  if (tuple && tuple.members !== null) return pyJsonStringify({ result: group });
  if (!Array.isArray(group)) throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `group ${groupId}: expected a group result tuple or a list of members`);
  return pyJsonStringify({ result: groupResultTuple(groupId, group as (string | ResultTuple)[]) });
}

/**
 * Read a stored group meta: the group's result tuple `[[gid, parent], [member tuples…]]`.
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` when it is not one.
 */
export function decodeGroupMeta(text: string): ResultTuple {
  const doc = parseObject(text, 'group meta');
  const tuple = readResultTuple(doc.result);
  if (!tuple || tuple.members === null) malformed('group meta "result" must be [[group_id, parent], [member tuples]]');
  tuple.members.forEach((m, i) => {
    if (!readResultTuple(m)) malformed(`group meta member ${i} is not a result tuple`);
  });
  return doc.result as ResultTuple;
}

/** The member task ids of a group result tuple, in order (`[]` when it is not a group tuple). */
export function groupTaskIds(group: unknown): string[] {
  const tuple = readResultTuple(group);
  if (!tuple || tuple.members === null) return [];
  return tuple.members.flatMap((m) => {
    const member = readResultTuple(m);
    return member ? [member.id] : [];
  });
}
