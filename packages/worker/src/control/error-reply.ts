/**
 * How a failing remote-control command is replied: `{error: "<repr(exc)>"}`, the way kombu's pidbox node replies a
 * handler's exception (`KeyError('no_such_cmd')`, `ValueError('Autoscale not enabled')`).
 */
import { pyStrRepr } from '@q/core/internal';

/** A failed command's reply. */
export interface ErrorReply {
  error: string;
}

/** Python's `repr()` of an exception named `name` raised with `message`: `ValueError('bad')`. */
export function exceptionRepr(name: string, message: string): string {
  return `${name}(${pyStrRepr(message)})`;
}

/** The reply for `err` thrown by a handler: `{error: "<Name>('<message>')"}` (a non-error value: `Exception('…')`). */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof Error) return { error: exceptionRepr(err.name || 'Error', err.message) };
  return { error: exceptionRepr('Exception', String(err)) };
}

/** Kombu's reply to a method no handler has: `{error: "KeyError('<method>')"}`. */
export function unknownCommandReply(method: string): ErrorReply {
  return { error: exceptionRepr('KeyError', method) };
}
