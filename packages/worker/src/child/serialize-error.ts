/**
 * Errors and control signals across a process or thread boundary: serialized as core's encoded exception plus
 * the JS stack, revived as an `Error` that encodes back to the same exception (so the stored FAILURE names the
 * task's own error type) and keeps the child's stack for the traceback.
 */
import { QError, Reject, Retry, Ignore } from '@q/core';
import { Replace, encodeException, isIgnore, isReject, isReplace, isRetry } from '@q/core/internal';
import type { SerializedControl, SerializedError } from '@q/core/adapter';

/** An error as data. */
export function serializeError(err: unknown): SerializedError {
  const enc = encodeException(err);
  const out: { -readonly [K in keyof SerializedError]: SerializedError[K] } = {
    exc_type: enc.exc_type,
    exc_message: cloneable(enc.exc_message),
    exc_module: enc.exc_module ?? null,
    stack: err instanceof Error ? (err.stack ?? null) : null,
  };
  if (err instanceof QError) out.code = err.code;
  return out;
}

function cloneable(values: unknown[]): unknown[] {
  try {
    structuredClone(values);
    return values;
  } catch {
    return values.map((v) => (typeof v === 'object' && v !== null ? String(v) : v));
  }
}

/**
 * An `Error` standing for a serialized one: `encodeException` gives back the same type, module and arguments;
 * `stack` is the child's. A `QError` code is kept as `code`.
 */
export function reviveError(error: SerializedError): Error {
  const message = error.exc_message.length > 0 ? String(error.exc_message[0]) : '';
  const revived = new Error(message);
  revived.name = error.exc_type;
  Object.assign(revived, { excType: error.exc_type, excModule: error.exc_module, excArgs: error.exc_message });
  if (error.code !== undefined) Object.assign(revived, { code: error.code });
  if (error.stack !== null) revived.stack = error.stack;
  return revived;
}

/** A control signal as data, or `undefined` when `value` is none. */
export function serializeControl(value: unknown): SerializedControl | undefined {
  if (isRetry(value)) {
    const out: { -readonly [K in keyof Extract<SerializedControl, { type: 'retry' }>]: Extract<SerializedControl, { type: 'retry' }>[K] } = { type: 'retry' };
    if (value.countdownSeconds !== undefined) out.countdownSeconds = value.countdownSeconds;
    if (value.eta !== undefined) out.eta = value.eta.toISOString();
    if (value.exc !== undefined) out.exc = serializeError(value.exc);
    if (value.args !== undefined) out.args = value.args;
    if (value.kwargs !== undefined) out.kwargs = value.kwargs;
    if (value.options !== undefined) out.options = value.options as Record<string, unknown>;
    return out;
  }
  if (isReject(value)) return value.reason === undefined ? { type: 'reject', requeue: value.requeue } : { type: 'reject', requeue: value.requeue, reason: plain(value.reason) };
  if (isIgnore(value)) return value.reason === undefined ? { type: 'ignore' } : { type: 'ignore', reason: plain(value.reason) };
  if (isReplace(value)) return { type: 'replace', sig: value.sig };
  return undefined;
}

function plain(value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

/** The control signal a serialized one stands for (what the trace handles as if the body threw it here). */
export function reviveControl(control: SerializedControl): Retry | Reject | Ignore | Replace {
  switch (control.type) {
    case 'retry':
      return new Retry({
        ...(control.countdownSeconds !== undefined ? { countdownSeconds: control.countdownSeconds } : {}),
        ...(control.eta !== undefined ? { eta: new Date(control.eta) } : {}),
        ...(control.exc !== undefined ? { exc: reviveError(control.exc) } : {}),
        ...(control.args !== undefined ? { args: control.args } : {}),
        ...(control.kwargs !== undefined ? { kwargs: control.kwargs } : {}),
        ...(control.options !== undefined ? { options: control.options } : {}),
      });
    case 'reject':
      return new Reject('reason' in control ? { requeue: control.requeue, reason: control.reason } : { requeue: control.requeue });
    case 'ignore':
      return new Ignore(control.reason);
    case 'replace':
      return new Replace(control.sig as ConstructorParameters<typeof Replace>[0]);
  }
}
