/**
 * Reading a signature dict that came from anywhere (a message's `link`, `chain`, `chord`, a builtin task's
 * argument, `Signature.fromWire`): Celery's shape, checked, as a {@link CanvasNode}. Nothing in it is evaluated;
 * a malformed dict is a {@link SignatureError} (`Q_ERR_SIGNATURE_INVALID`) that names what is wrong and where.
 */
import { SignatureError } from '../errors/q-error.js';
import type { WireSignature } from '../protocol/task-message.js';

/** The composite kinds Celery writes in `subtask_type`. */
export const SUBTASK_TYPES = ['chain', 'group', 'chord', 'chunks', 'xmap', 'xstarmap'] as const;
/** A composite kind. */
export type SubtaskType = (typeof SUBTASK_TYPES)[number];

/** A checked signature: a plain task call, or a composite with its parts read. */
export type CanvasNode =
  | { readonly type: 'task'; readonly sig: WireSignature }
  | { readonly type: 'chain'; readonly sig: WireSignature; readonly tasks: readonly WireSignature[] }
  | { readonly type: 'group'; readonly sig: WireSignature; readonly tasks: readonly WireSignature[] }
  | { readonly type: 'chord'; readonly sig: WireSignature; readonly header: WireSignature; readonly body: WireSignature }
  | { readonly type: 'chunks'; readonly sig: WireSignature; readonly task: WireSignature; readonly items: readonly unknown[]; readonly n: number }
  | { readonly type: 'xmap' | 'xstarmap'; readonly sig: WireSignature };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(where: string, what: string): SignatureError {
  return new SignatureError('Q_ERR_SIGNATURE_INVALID', `malformed signature ${where}: ${what}`);
}

/**
 * A signature dict, checked and completed (missing `args`/`kwargs`/`options` are empty, as Celery's
 * `signature(dict)`): an object with a string `task`, a list `args`, objects `kwargs` and `options`, and a known
 * `subtask_type` or none.
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID`
 */
export function readSignature(value: unknown, where = ''): WireSignature {
  if (value !== null && typeof value === 'object' && typeof (value as { toWire?: unknown }).toWire === 'function') {
    return readSignature((value as { toWire(): unknown }).toWire(), where);
  }
  if (!isRecord(value)) throw invalid(where, `expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
  const { task, args = [], kwargs = {}, options = {}, subtask_type: type = null, immutable = false } = value;
  if (typeof task !== 'string' || task === '') throw invalid(where, '"task" must be a task name');
  if (!Array.isArray(args)) throw invalid(where, `"args" of ${task} must be a list`);
  if (!isRecord(kwargs)) throw invalid(where, `"kwargs" of ${task} must be an object`);
  if (!isRecord(options)) throw invalid(where, `"options" of ${task} must be an object`);
  if (type !== null && !(SUBTASK_TYPES as readonly unknown[]).includes(type)) {
    throw invalid(where, `unknown subtask_type ${JSON.stringify(type)} (known: ${SUBTASK_TYPES.join(', ')})`);
  }
  return { ...value, task, args: [...(args as unknown[])], kwargs: { ...kwargs }, options: { ...options }, subtask_type: type as string | null, immutable: immutable === true };
}

/** A composite's list of parts: checked to be a list; each part is read where it is used. */
function list(sig: WireSignature, key: string, where: string): WireSignature[] {
  const tasks = sig.kwargs[key];
  if (!Array.isArray(tasks)) throw invalid(where, `the ${sig.subtask_type ?? 'task'} ${sig.task} has no list "${key}" in its kwargs`);
  return tasks as WireSignature[];
}

/**
 * A signature dict read into a {@link CanvasNode}. A chord's header and body, a chunks' task are read too; the
 * parts of a chain or group are checked to be a list, and each is read (`readSignature`) by whoever uses it
 * (freezing reads every one), so a group of thousands is read once, not once per level.
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID`
 */
export function readCanvas(value: unknown, where = 'signature'): CanvasNode {
  const sig = readSignature(value, where);
  switch (sig.subtask_type as SubtaskType | null) {
    case null:
      return { type: 'task', sig };
    case 'chain':
      return { type: 'chain', sig, tasks: list(sig, 'tasks', where) };
    case 'group':
      return { type: 'group', sig, tasks: list(sig, 'tasks', where) };
    case 'chord': {
      const { header, body } = sig.kwargs;
      // Celery writes the header as a group signature; a plain list of signatures is taken too.
      const head = Array.isArray(header)
        ? { task: 'celery.group', args: [], kwargs: { tasks: header }, options: {}, subtask_type: 'group', immutable: false }
        : header;
      const headerSig = readSignature(head, `${where}.header`);
      if (headerSig.subtask_type !== 'group') throw invalid(where, `the chord's "header" must be a group (got ${headerSig.subtask_type ?? 'a task'})`);
      list(headerSig, 'tasks', `${where}.header`);
      return { type: 'chord', sig, header: headerSig, body: readSignature(body, `${where}.body`) };
    }
    case 'chunks': {
      const { task, it, n } = sig.kwargs;
      if (!Array.isArray(it)) throw invalid(where, '"it" of celery.chunks must be a list');
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalid(where, '"n" of celery.chunks must be a positive integer');
      return { type: 'chunks', sig, task: readSignature(task, `${where}.task`), items: it, n };
    }
    case 'xmap':
    case 'xstarmap':
      return { type: sig.subtask_type as 'xmap' | 'xstarmap', sig };
  }
  throw invalid(where, 'unreachable');
}

/**
 * The node of a signature that was read before (a frozen one: freezing reads every part): classified by its
 * `subtask_type`, nothing checked or copied. For the send path, which applies what `freezeCanvas` made.
 */
export function frozenNode(sig: WireSignature): CanvasNode {
  const kw = sig.kwargs;
  switch (sig.subtask_type as SubtaskType | null) {
    case 'chain':
      return { type: 'chain', sig, tasks: kw.tasks as WireSignature[] };
    case 'group':
      return { type: 'group', sig, tasks: kw.tasks as WireSignature[] };
    case 'chord':
      return { type: 'chord', sig, header: kw.header as WireSignature, body: kw.body as WireSignature };
    case 'chunks':
      return { type: 'chunks', sig, task: kw.task as WireSignature, items: kw.it as unknown[], n: kw.n as number };
    case 'xmap':
    case 'xstarmap':
      return { type: sig.subtask_type as 'xmap' | 'xstarmap', sig };
    default:
      return { type: 'task', sig };
  }
}
