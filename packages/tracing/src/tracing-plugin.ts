/**
 * `tracingPlugin()`: OpenTelemetry spans around publishing and running tasks, with the trace context carried in the
 * task message's headers (`traceparent`, `tracestate`: Python Celery ignores and keeps unknown headers). It uses
 * only `@opentelemetry/api`: spans go wherever the SDK the application registered sends them (nowhere without one).
 *
 * - `beforePublish` starts `<task> publish` (PRODUCER) and injects its context into the wire headers;
 *   `afterPublish` ends it. Its parent is the active context, or the run span of the task sending it when that task
 *   runs in this process (found by the message's `parent_id`, or its own id for a retry).
 * - `taskPrerun` extracts the context from the message headers and starts `<task> run` (CONSUMER) as its child;
 *   `taskSuccess`/`taskFailure`/`taskRetry`/`taskRevoked` annotate it and `taskPostrun` ends it. A task revoked before
 *   it ran gets a run span that starts and ends at once.
 */
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TextMapSetter, Tracer, TracerProvider } from '@opentelemetry/api';
import type { HookPayloads, Plugin, PluginApi } from '@q/core';
import {
  ATTR_CELERY_ACTION,
  ATTR_CELERY_EXCHANGE,
  ATTR_CELERY_PARENT_ID,
  ATTR_CELERY_RETRIES,
  ATTR_CELERY_RETRY_COUNTDOWN_MS,
  ATTR_CELERY_RETRY_REASON,
  ATTR_CELERY_REVOKED,
  ATTR_CELERY_REVOKED_EXPIRED,
  ATTR_CELERY_REVOKED_TERMINATED,
  ATTR_CELERY_ROUTING_KEY,
  ATTR_CELERY_RUNTIME_MS,
  ATTR_CELERY_STATE,
  ATTR_CELERY_TASK_NAME,
  ATTR_MESSAGING_CONVERSATION_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from './attributes.js';
import { SpanRegistry } from './span-registry.js';
import { taskTraceContext } from './task-trace-context.js';

/** Options of {@link tracingPlugin}. */
export interface TracingPluginOptions {
  /** The tracer to use. Default: one from `tracerProvider`, else from the global provider, named `name`. */
  tracer?: Tracer;
  /** The provider to take the tracer from (ignored when `tracer` is given). Default: the global one. */
  tracerProvider?: TracerProvider;
  /** The tracer's (instrumentation scope's) name, and the plugin's. Default `'@q/tracing'`. */
  name?: string;
  /** The `messaging.system` attribute. Default `'q'`. */
  messagingSystem?: string;
  /**
   * How many spans may wait for their closing hook at once (per side); past it the oldest is ended, marked
   * `q.span.evicted` (a publish that threw never sees `afterPublish`). Default 10 000.
   */
  maxOpenSpans?: number;
}

/** The default tracer and plugin name. */
export const DEFAULT_TRACER_NAME = '@q/tracing';

const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * A plugin that traces task publishing and execution with OpenTelemetry. Install it on the client's and the
 * worker's app (`createApp({ plugins: [tracingPlugin()] })`) after registering an OpenTelemetry SDK (tracer
 * provider, context manager, W3C propagator: `NodeSDK` does all three). Not installed, it costs nothing.
 */
export function tracingPlugin(options: TracingPluginOptions = {}): Plugin {
  const name = options.name ?? DEFAULT_TRACER_NAME;
  return {
    name,
    setup(api: PluginApi): void {
      new TaskTracer(options, name).install(api);
    },
  };
}

/** The state of one installed plugin: its tracer and open spans. */
class TaskTracer {
  readonly #options: TracingPluginOptions;
  readonly #name: string;
  readonly #system: string;
  readonly #publishes: SpanRegistry;
  readonly #runs: SpanRegistry;
  #tracer: Tracer | undefined;

  constructor(options: TracingPluginOptions, name: string) {
    this.#options = options;
    this.#name = name;
    this.#system = options.messagingSystem ?? 'q';
    const max = options.maxOpenSpans ?? 10_000;
    this.#publishes = new SpanRegistry(max);
    this.#runs = new SpanRegistry(max);
  }

  install(api: PluginApi): void {
    api.hook('beforePublish', (p) => this.#beforePublish(p));
    api.hook('afterPublish', (p) => this.#afterPublish(p));
    api.hook('taskPrerun', (p) => this.#prerun(p));
    api.hook('taskSuccess', (p) => this.#success(p));
    api.hook('taskFailure', (p) => this.#failure(p));
    api.hook('taskRetry', (p) => this.#retry(p));
    api.hook('taskRevoked', (p) => this.#revoked(p));
    api.hook('taskPostrun', (p) => this.#postrun(p));
  }

  /** The tracer: the given one, else taken (once) from the given or the global provider. */
  #getTracer(): Tracer {
    if (this.#options.tracer !== undefined) return this.#options.tracer;
    this.#tracer ??= (this.#options.tracerProvider ?? trace.getTracerProvider()).getTracer(this.#name);
    return this.#tracer;
  }

  #beforePublish(p: HookPayloads['beforePublish']): void {
    const headers = p.message.headers;
    const parentId = typeof headers['parent_id'] === 'string' ? headers['parent_id'] : null;
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: this.#system,
      [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR_MESSAGING_OPERATION_NAME]: 'publish',
      [ATTR_MESSAGING_DESTINATION_NAME]: p.routingKey,
      [ATTR_MESSAGING_MESSAGE_ID]: p.taskId,
      [ATTR_CELERY_TASK_NAME]: p.taskName,
      [ATTR_CELERY_ACTION]: 'apply_async',
      [ATTR_CELERY_EXCHANGE]: p.exchange,
      [ATTR_CELERY_ROUTING_KEY]: p.routingKey,
    };
    if (typeof headers['root_id'] === 'string') attributes[ATTR_MESSAGING_CONVERSATION_ID] = headers['root_id'];
    if (parentId !== null) attributes[ATTR_CELERY_PARENT_ID] = parentId;
    if (typeof headers['retries'] === 'number' && headers['retries'] > 0) attributes[ATTR_CELERY_RETRIES] = headers['retries'];
    const parent = this.#publishParent(p.taskId, parentId);
    const span = this.#getTracer().startSpan(`${p.taskName} publish`, { kind: SpanKind.PRODUCER, attributes }, parent);
    propagation.inject(trace.setSpan(parent, span), headers, headerSetter);
    this.#publishes.add(p.taskId, span, { replace: true });
  }

  /**
   * The parent of a publish span: the run span of the task sending it when that task runs here (a retry is its own
   * task re-sent; anything else names its sender in `parent_id`), unless the active context holds a span of that
   * run's trace (one the body started: more precise); otherwise the active context.
   */
  #publishParent(taskId: string, parentId: string | null): Context {
    const active = context.active();
    const run = this.#runs.get(taskId) ?? (parentId !== null ? this.#runs.get(parentId) : undefined);
    if (run === undefined) return active;
    const current = trace.getSpan(active);
    if (current !== undefined && current.spanContext().traceId === run.spanContext().traceId) return active;
    return trace.setSpan(active, run);
  }

  #afterPublish(p: HookPayloads['afterPublish']): void {
    const span = this.#publishes.take(p.taskId);
    if (span === undefined) return;
    if (p.queue !== '') span.setAttribute(ATTR_MESSAGING_DESTINATION_NAME, p.queue);
    span.end();
  }

  #prerun(p: HookPayloads['taskPrerun']): void {
    this.#runs.add(p.taskId, this.#startRun(p), { tag: p.headers });
  }

  #startRun(p: HookPayloads['taskPrerun']): Span {
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: this.#system,
      [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
      [ATTR_MESSAGING_OPERATION_NAME]: 'run',
      [ATTR_MESSAGING_MESSAGE_ID]: p.taskId,
      [ATTR_CELERY_TASK_NAME]: p.taskName,
      [ATTR_CELERY_ACTION]: 'run',
    };
    const parent = taskTraceContext(p.headers);
    return this.#getTracer().startSpan(`${p.taskName} run`, { kind: SpanKind.CONSUMER, attributes }, parent);
  }

  #success(p: HookPayloads['taskSuccess']): void {
    this.#runs.get(p.taskId, p.headers)?.setAttribute(ATTR_CELERY_RUNTIME_MS, p.runtimeMs);
  }

  #failure(p: HookPayloads['taskFailure']): void {
    const span = this.#runs.get(p.taskId, p.headers);
    if (span === undefined) return;
    const error = asException(p.error);
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${error.name}: ${error.message}` });
  }

  #retry(p: HookPayloads['taskRetry']): void {
    const span = this.#runs.get(p.taskId, p.headers);
    if (span === undefined) return;
    span.setAttribute(ATTR_CELERY_RETRY_COUNTDOWN_MS, p.countdownMs);
    const reason = p.reason instanceof Error ? p.reason.message : String(p.reason);
    span.setAttribute(ATTR_CELERY_RETRY_REASON, reason);
    if (p.reason instanceof Error) span.recordException(p.reason);
  }

  #revoked(p: HookPayloads['taskRevoked']): void {
    const open = this.#runs.getTagged(p.taskId, p.headers);
    // Revoked before it ran (no prerun): a run span that starts and ends here.
    const span = open ?? this.#startRun(p);
    span.setAttributes({ [ATTR_CELERY_REVOKED]: true, [ATTR_CELERY_REVOKED_EXPIRED]: p.expired, [ATTR_CELERY_REVOKED_TERMINATED]: p.terminated });
    if (open === undefined) {
      span.setAttribute(ATTR_CELERY_STATE, 'REVOKED');
      span.end();
    }
  }

  #postrun(p: HookPayloads['taskPostrun']): void {
    const span = this.#runs.take(p.taskId, p.headers);
    if (span === undefined) return;
    span.setAttribute(ATTR_CELERY_STATE, p.state);
    span.end();
  }
}

/** An error to record: the error itself, or one made from what was thrown. */
function asException(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    const e = error as { name?: unknown; message: string; stack?: unknown };
    const made = new Error(e.message);
    if (typeof e.name === 'string') made.name = e.name;
    if (typeof e.stack === 'string') made.stack = e.stack;
    return made;
  }
  return new Error(String(error));
}
