/**
 * The error hierarchy of q. Every error q throws is a {@link QError} with a stable `code`.
 *
 * `instanceof` works across two copies of `@q/core` (independent package versions make that common):
 * each class is branded with a `Symbol.for` key and `Symbol.hasInstance` checks the brand.
 */
import type { QErrorCode } from './codes.js';

const BRAND = Symbol.for('q.error');
const KIND = Symbol.for('q.error.kind');

/** Options every q error accepts. */
export interface QErrorOptions {
  /** The underlying error (a native driver error, a parse error, …). */
  cause?: unknown;
  /** Whether retrying the same operation may succeed (a dropped connection: yes; a bad URL: no). */
  retryable?: boolean;
}

function branded(kind: string) {
  return (value: unknown): boolean => {
    if (typeof value !== 'object' || value === null) return false;
    const kinds = (value as Record<symbol, unknown>)[KIND];
    return Array.isArray(kinds) && kinds.includes(kind);
  };
}

/** Base class of every error raised by q. */
export class QError extends Error {
  /** Stable machine-readable code, documented in `docs/reference/errors.md`. */
  readonly code: QErrorCode;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: QErrorCode, message: string, options: QErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.name = new.target.name;
    const kinds: string[] = [];
    for (let proto = new.target.prototype; proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      const k = (proto.constructor as { kind?: string }).kind;
      if (k && !kinds.includes(k)) kinds.push(k);
    }
    Object.defineProperty(this, KIND, { value: kinds, enumerable: false });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** Brand used for cross-copy `instanceof`. Subclasses override it. */
  static readonly kind: string = 'QError';

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(this.kind)(value);
  }
}

/** Invalid configuration, option or URL. Never retryable. */
export class ConfigError extends QError {
  static override readonly kind = 'ConfigError';
}

/** A broker or backend connection failed or was lost. Usually retryable. */
export class ConnectionError extends QError {
  static override readonly kind = 'ConnectionError';
}

/** A payload could not be serialized or deserialized. */
export class SerializationError extends QError {
  static override readonly kind = 'SerializationError';
}

/** A message is not a valid Celery message (wrong shape, missing fields, unknown protocol). */
export class ProtocolError extends QError {
  static override readonly kind = 'ProtocolError';
}

/** A task name is not registered in this app. */
export class NotRegisteredError extends QError {
  static override readonly kind = 'NotRegisteredError';
}

/** An operation did not finish in time (e.g. `AsyncResult.get({ timeout })`). */
export class TimeoutError extends QError {
  static override readonly kind = 'TimeoutError';
}

/** A result backend operation failed. */
export class BackendError extends QError {
  static override readonly kind = 'BackendError';
}

/** A plugin or hook failed; the message names the plugin and the hook. */
export class PluginError extends QError {
  static override readonly kind = 'PluginError';
}

/** A task exceeded its `maxRetries`. */
export class MaxRetriesExceededError extends QError {
  static override readonly kind = 'MaxRetriesExceededError';
}

/** A task ran past its soft or hard time limit. */
export class TimeLimitExceededError extends QError {
  static override readonly kind = 'TimeLimitExceededError';
}

/** A task was revoked (by a user, or because it expired). */
export class TaskRevokedError extends QError {
  static override readonly kind = 'TaskRevokedError';
}

/**
 * A chord's body cannot run: a header task failed or was revoked (`Q_ERR_CHORD_FAILED`, Celery's
 * `celery.exceptions.ChordError`, stored as the body's result).
 */
export class ChordError extends QError {
  static override readonly kind = 'ChordError';
}

/** A signature that cannot be applied: malformed (`Q_ERR_SIGNATURE_INVALID`) or bound to no app (`Q_ERR_SIGNATURE_UNBOUND`). */
export class SignatureError extends QError {
  static override readonly kind = 'SignatureError';
}

/**
 * A task failed in a worker (a q worker or a Python one). Carries the remote exception's type, module,
 * message arguments and traceback exactly as the result backend stored them.
 */
export class RemoteError extends QError {
  static override readonly kind = 'RemoteError';
  /** Exception class name as stored (`exc_type`), e.g. `ValueError`. */
  readonly excType: string;
  /** Module of the exception class (`exc_module`), e.g. `builtins`. */
  readonly excModule: string | null;
  /** The exception's arguments (`exc_message`). */
  readonly excArgs: readonly unknown[];
  /** The remote traceback, when the worker stored one. */
  readonly remoteTraceback: string | null;
  /** The id of the task that failed. */
  readonly taskId: string | null;

  constructor(
    init: {
      excType: string;
      excModule: string | null;
      excArgs: readonly unknown[];
      traceback: string | null;
      taskId?: string | null;
    },
    options: QErrorOptions = {},
  ) {
    const text = init.excArgs.length === 1 ? String(init.excArgs[0]) : init.excArgs.map((a) => String(a)).join(', ');
    super('Q_ERR_REMOTE_TASK_FAILED', `${init.excType}: ${text}`, options);
    this.excType = init.excType;
    this.excModule = init.excModule;
    this.excArgs = init.excArgs;
    this.remoteTraceback = init.traceback;
    this.taskId = init.taskId ?? null;
  }
}

/** True when `value` is a q error (from any copy of `@q/core`). */
export function isQError(value: unknown): value is QError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
