/**
 * Signatures: a task call packed for later (`add.s(2)`, `echo.si('x')`), as Celery's `signature`. They
 * serialize to the wire form Celery uses for `link`, `link_error`, chains and chords.
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { SignatureLike } from './types.js';

/** Options of a {@link Signature}. */
export interface SignatureInit {
  /** Wire options (Celery names: `task_id`, `queue`, `priority`, …). */
  options?: Record<string, unknown>;
  /** Immutable signatures do not receive the parent's result (`.si()`). */
  immutable?: boolean;
  /** `null` for a plain task; `chain`, `group`, `chord`, … for composites. */
  subtaskType?: string | null;
}

/** A task name with partial arguments and options. */
export class Signature {
  readonly task: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: Readonly<Record<string, unknown>>;
  readonly immutable: boolean;
  readonly subtaskType: string | null;

  constructor(task: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}, init: SignatureInit = {}) {
    this.task = task;
    this.args = [...args];
    this.kwargs = { ...kwargs };
    this.options = { ...(init.options ?? {}) };
    this.immutable = init.immutable ?? false;
    this.subtaskType = init.subtaskType ?? null;
  }

  /** A copy with more wire options merged in. */
  set(options: Record<string, unknown>): Signature {
    return new Signature(this.task, this.args, { ...this.kwargs }, {
      options: { ...this.options, ...options },
      immutable: this.immutable,
      subtaskType: this.subtaskType,
    });
  }

  /** The wire form (`{task, args, kwargs, options, subtask_type, immutable}`), keys in Celery's order. */
  toWire(): WireSignature {
    return {
      task: this.task,
      args: [...this.args],
      kwargs: { ...this.kwargs },
      options: { ...this.options },
      subtask_type: this.subtaskType,
      immutable: this.immutable,
    };
  }

  toJSON(): WireSignature {
    return this.toWire();
  }
}

/** True for objects that have a `toWire()` method. */
function hasToWire(value: SignatureLike): value is { toWire(): WireSignature } {
  return typeof (value as { toWire?: unknown }).toWire === 'function';
}

/** Converts a signature or a plain wire object into a wire signature (filling missing keys). */
export function toWireSignature(value: SignatureLike): WireSignature {
  if (hasToWire(value)) return value.toWire();
  return {
    ...value,
    task: value.task,
    args: [...(value.args ?? [])],
    kwargs: { ...(value.kwargs ?? {}) },
    options: { ...(value.options ?? {}) },
    subtask_type: value.subtask_type ?? null,
    immutable: value.immutable ?? false,
  };
}

/** One or several signatures → a wire list, or `null` when none. */
export function toWireList(value: SignatureLike | readonly SignatureLike[] | undefined): WireSignature[] | null {
  if (value === undefined) return null;
  const list = Array.isArray(value) ? (value as readonly SignatureLike[]) : [value as SignatureLike];
  return list.length === 0 ? null : list.map(toWireSignature);
}
