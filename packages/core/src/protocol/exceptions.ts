/**
 * Celery's exception encoding (`{"exc_type", "exc_message": [args…], "exc_module"}`) for errors raised in a
 * q worker, and the way back to a {@link RemoteError}.
 *
 * How a JS error is named so that a Python reader (`BaseBackend.exception_to_python`) rebuilds it:
 * 1. own properties `excType` / `excModule` (and optional `excArgs`) on the error win;
 * 2. a {@link RemoteError} re-encodes the remote type, module and args it carries;
 * 3. q errors with a Celery counterpart use it (`celery.exceptions.NotRegistered`, `MaxRetriesExceededError`,
 *    `TaskRevokedError`, `TimeoutError`, `billiard.exceptions.SoftTimeLimitExceeded`/`TimeLimitExceeded`), and
 *    an argument-binding error (`Q_ERR_TASK_ARGUMENTS`) is the `TypeError` Python raises for such a call;
 * 4. JS built-ins map to Python builtins (`TypeError`→`TypeError`, `RangeError`→`ValueError`,
 *    `SyntaxError`→`SyntaxError`, `ReferenceError`→`NameError`, `URIError`→`ValueError`, `Error`→`Exception`),
 *    and a class whose name is a Python builtin exception (`KeyError`, `NotImplementedError`, …) is that one;
 * 5. any other class (`class FooError extends Error`) is sent as `exc_type: "FooError"`, `exc_module: null`.
 *    Python then always builds a synthetic exception class named `FooError` (no module lookup), which it
 *    also does for a module it cannot find. `builtins` is avoided for such names: Celery ≤ 5.1 crashes on a
 *    missing attribute, and a name that happens to be a non-exception builtin makes Python raise
 *    `SecurityError` instead of the task's error.
 */
import type { EncodedException } from '../contracts/index.js';
import { QError, RemoteError, TimeLimitExceededError } from '../errors/q-error.js';

const JS_BUILTINS: Readonly<Record<string, string>> = {
  Error: 'Exception',
  TypeError: 'TypeError',
  RangeError: 'ValueError',
  SyntaxError: 'SyntaxError',
  ReferenceError: 'NameError',
  URIError: 'ValueError',
  EvalError: 'Exception',
  AggregateError: 'Exception',
};

/** Python builtin exception classes a JS class may be named after. */
const PY_BUILTINS = new Set([
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BlockingIOError', 'BrokenPipeError',
  'BufferError', 'ConnectionAbortedError', 'ConnectionError', 'ConnectionRefusedError', 'ConnectionResetError',
  'EOFError', 'Exception', 'FileExistsError', 'FileNotFoundError', 'FloatingPointError', 'ImportError',
  'IndexError', 'InterruptedError', 'IsADirectoryError', 'KeyError', 'LookupError', 'MemoryError',
  'ModuleNotFoundError', 'NameError', 'NotADirectoryError', 'NotImplementedError', 'OSError', 'OverflowError',
  'PermissionError', 'ProcessLookupError', 'RecursionError', 'ReferenceError', 'RuntimeError', 'StopIteration',
  'SyntaxError', 'SystemError', 'TimeoutError', 'TypeError', 'UnboundLocalError', 'UnicodeError', 'ValueError',
  'ZeroDivisionError',
]);

/** q error kinds (and codes) with a Celery/billiard (or Python) counterpart. */
function celeryCounterpart(err: QError): [type: string, module: string] | null {
  // Python binds a call's arguments and raises `TypeError: add() missing 1 required positional argument: 'y'`.
  if (err.code === 'Q_ERR_TASK_ARGUMENTS') return ['TypeError', 'builtins'];
  if (err.code === 'Q_ERR_SOFT_TIME_LIMIT') return ['SoftTimeLimitExceeded', 'billiard.exceptions'];
  if (err.code === 'Q_ERR_HARD_TIME_LIMIT') return ['TimeLimitExceeded', 'billiard.exceptions'];
  if (err.code === 'Q_ERR_TASK_NOT_REGISTERED') return ['NotRegistered', 'celery.exceptions'];
  if (err.code === 'Q_ERR_MAX_RETRIES_EXCEEDED') return ['MaxRetriesExceededError', 'celery.exceptions'];
  if (err.code === 'Q_ERR_TASK_REVOKED') return ['TaskRevokedError', 'celery.exceptions'];
  if (err.code === 'Q_ERR_TIMEOUT') return ['TimeoutError', 'celery.exceptions'];
  if (err.code === 'Q_ERR_CHORD_FAILED') return ['ChordError', 'celery.exceptions'];
  return null;
}

function ownString(err: object, key: string): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(err, key) ? (err as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The class name of an error: its constructor's name, or `name` when the constructor is plain `Error`. */
function className(err: Error): string {
  const ctor = (err.constructor as { name?: unknown } | undefined)?.name;
  if (typeof ctor === 'string' && ctor && ctor !== 'Error') return ctor;
  return err.name || 'Error';
}

/** True when `v` has the encoded-exception shape (`exc_type` string, `exc_message` array). */
export function isEncodedException(v: unknown): v is EncodedException {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.exc_type === 'string' &&
    Array.isArray(o.exc_message) &&
    (o.exc_module === undefined || o.exc_module === null || typeof o.exc_module === 'string')
  );
}

/**
 * Encode a thrown value as Celery does for the JSON serializer. See the module comment for how the type
 * and module are chosen. Non-`Error` values become `Exception` with their string form as the one argument.
 */
export function encodeException(err: unknown): EncodedException {
  if (isEncodedException(err)) return { exc_type: err.exc_type, exc_message: [...err.exc_message], exc_module: err.exc_module ?? null };
  if (!(err instanceof Error)) {
    return { exc_type: 'Exception', exc_message: [typeof err === 'string' ? err : String(err)], exc_module: 'builtins' };
  }
  const explicitArgs = (err as { excArgs?: unknown }).excArgs;
  const args = Object.prototype.hasOwnProperty.call(err, 'excArgs') && Array.isArray(explicitArgs) ? [...(explicitArgs as unknown[])] : [err.message];
  const explicitType = ownString(err, 'excType');
  if (explicitType !== undefined) {
    const module = Object.prototype.hasOwnProperty.call(err, 'excModule') ? ownString(err, 'excModule') ?? null : 'builtins';
    return { exc_type: explicitType, exc_message: args, exc_module: module };
  }
  if (err instanceof RemoteError) {
    return { exc_type: err.excType, exc_message: [...err.excArgs], exc_module: err.excModule };
  }
  if (err instanceof QError) {
    const counterpart = celeryCounterpart(err);
    if (counterpart) return { exc_type: counterpart[0], exc_message: args, exc_module: counterpart[1] };
  }
  const name = className(err);
  const builtin = JS_BUILTINS[name];
  if (builtin !== undefined) return { exc_type: builtin, exc_message: args, exc_module: 'builtins' };
  if (PY_BUILTINS.has(name)) return { exc_type: name, exc_message: args, exc_module: 'builtins' };
  return { exc_type: name, exc_message: args, exc_module: null };
}

/** Celery's `NotRegistered(name)`: the worker has no task of that name. */
export function encodedNotRegistered(name: string): EncodedException {
  return { exc_type: 'NotRegistered', exc_message: [name], exc_module: 'celery.exceptions' };
}

/**
 * Celery's `TaskRevokedError(why)`: `expired` (its `expires` passed before it ran), `terminated` (revoked while
 * running) or `revoked`.
 */
export function encodedTaskRevoked(why: 'expired' | 'revoked' | 'terminated'): EncodedException {
  return { exc_type: 'TaskRevokedError', exc_message: [why], exc_module: 'celery.exceptions' };
}

/** billiard's `WorkerLostError(text)`: the task's execution slot went away (a cold shutdown, a dead process). */
export function encodedWorkerLost(text: string): EncodedException {
  return { exc_type: 'WorkerLostError', exc_message: [text], exc_module: 'billiard.exceptions' };
}

/** Celery's `Retry(text)`: the RETRY state of a retry that gave no reason (`exc`). */
export function encodedRetry(text: string): EncodedException {
  return { exc_type: 'Retry', exc_message: [text], exc_module: 'celery.exceptions' };
}

/**
 * The error of a task killed at its hard time limit: it encodes as billiard's `TimeLimitExceeded(seconds)`,
 * the limit as its one argument (`null` when unknown), as Celery stores it.
 */
export function hardTimeLimitError(seconds: number | null): TimeLimitExceededError {
  const err = new TimeLimitExceededError('Q_ERR_HARD_TIME_LIMIT', `TimeLimitExceeded(${seconds ?? '?'})`);
  return Object.assign(err, { excArgs: [seconds] });
}

/** Turn a stored exception back into a {@link RemoteError} (what `AsyncResult.get()` throws). */
export function toRemoteError(enc: EncodedException, traceback: string | null, taskId?: string | null): RemoteError {
  const raw = (enc as { exc_message?: unknown }).exc_message;
  const excArgs = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return new RemoteError({ excType: enc.exc_type, excModule: enc.exc_module ?? null, excArgs, traceback, taskId: taskId ?? null });
}

const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/;

/**
 * A Python-looking traceback for a JS error: `Traceback (most recent call last):`, the stack frames
 * (oldest first, `  File "<path>", line N, in <fn>`), then `<Type>: <message>`, ending with a newline.
 */
export function formatTraceback(err: unknown): string {
  const enc = encodeException(err);
  const qualified = enc.exc_module && enc.exc_module !== 'builtins' ? `${enc.exc_module}.${enc.exc_type}` : enc.exc_type;
  const message = enc.exc_message.map((a) => (typeof a === 'string' ? a : String(a))).join(', ');
  const frames: string[] = [];
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack.split('\n') : [];
  for (const line of stack) {
    const m = FRAME.exec(line);
    if (m) frames.push(`  File "${m[2]}", line ${m[3]}, in ${m[1] ?? '<module>'}`);
  }
  frames.reverse();
  const lines = ['Traceback (most recent call last):', ...frames, message ? `${qualified}: ${message}` : qualified];
  return `${lines.join('\n')}\n`;
}
