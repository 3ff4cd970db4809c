/**
 * `@q/tracing`: OpenTelemetry tracing for q, as a plugin. Publish spans and run spans, one trace per workflow, the
 * trace context carried in the task message headers (`traceparent`, `tracestate`).
 */
export { DEFAULT_TRACER_NAME, tracingPlugin } from './tracing-plugin.js';
export type { TracingPluginOptions } from './tracing-plugin.js';
export { headerGetter, taskTraceContext, withTaskTraceContext } from './task-trace-context.js';
export { EVICTED_ATTRIBUTE, SpanRegistry } from './span-registry.js';
export * from './attributes.js';
