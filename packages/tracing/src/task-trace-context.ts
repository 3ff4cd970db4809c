/**
 * The trace context a task message carries (`traceparent`/`tracestate`, injected by the publishing side's
 * `tracingPlugin`), for code that runs a task body where the plugin's run span is not known: a prefork or threads
 * pool's child, or a body that wants its own spans under the publish span.
 */
import { context, propagation } from '@opentelemetry/api';
import type { Context, TextMapGetter } from '@opentelemetry/api';

/** Reads message headers (values that are not strings are skipped). */
export const headerGetter: TextMapGetter<Readonly<Record<string, unknown>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    return undefined;
  },
};

/**
 * The context extracted from a task's message headers (`ctx.headers` in a task body, `payload.headers` in a hook)
 * with the global propagator, on top of `base` (default: the active context).
 */
export function taskTraceContext(headers: Readonly<Record<string, unknown>>, base: Context = context.active()): Context {
  return propagation.extract(base, headers, headerGetter);
}

/**
 * Run `fn` in the trace context of a task's message (`withTaskTraceContext(ctx, () => …)` in a task body): spans it
 * starts, and tasks it sends (their publish spans), join the trace of the message that started the task. Meant for
 * bodies running in a prefork/threads pool's child, where the plugin's run span lives in the parent process; there
 * the new spans are children of the task's publish span (siblings of its run span).
 */
export function withTaskTraceContext<T>(task: { readonly headers: Readonly<Record<string, unknown>> }, fn: () => T): T {
  return context.with(taskTraceContext(task.headers), fn);
}
