/**
 * Signature-likes (a {@link Signature} or any object with `toWire()`, or a plain Celery dict) as wire dicts:
 * what `link`, `linkError` and a chord body become in a message.
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { SignatureLike } from '../task/types.js';

/** True for objects that have a `toWire()` method. */
function hasToWire(value: SignatureLike): value is { toWire(): WireSignature } {
  return typeof (value as { toWire?: unknown }).toWire === 'function';
}

/** Converts a signature or a plain wire object into a wire signature (filling missing keys). */
export function toWireSignature(value: SignatureLike): WireSignature {
  if (hasToWire(value)) return value.toWire();
  // A frozen dict (a chord body shared by its header messages, see `shareSerialized`) cannot change: kept as it is.
  if (Object.isFrozen(value)) return value as WireSignature;
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
