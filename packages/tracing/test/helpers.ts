/**
 * Test helpers: an OpenTelemetry SDK registered globally for one test (in-memory exporter, AsyncLocalStorage context
 * manager, a W3C `traceparent` propagator), apps on the memory transport and backend, an in-process worker, polling.
 */
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { App, AppOptions } from '@q/core';
import { createTestApp, startTestWorker, testNamespace, waitFor } from '@q/testing';
import type { Worker } from '@q/worker';
import { afterEach } from 'vitest';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

/**
 * W3C trace context (`traceparent` only), as `@opentelemetry/core`'s `W3CTraceContextPropagator` does it (that
 * package is not a dependency here).
 */
class TraceparentPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(ctx);
    if (sc === undefined || !trace.isSpanContextValid(sc)) return;
    setter.set(carrier, 'traceparent', `00-${sc.traceId}-${sc.spanId}-0${Number(sc.traceFlags & TraceFlags.SAMPLED)}`);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, 'traceparent');
    const value = Array.isArray(raw) ? raw[0] : raw;
    const m = value === undefined ? null : /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
    if (m === null) return ctx;
    return trace.setSpanContext(ctx, { traceId: m[1] as string, spanId: m[2] as string, traceFlags: parseInt(m[3] as string, 16), isRemote: true });
  }

  fields(): string[] {
    return ['traceparent'];
  }
}

/** Registers an SDK globally until the end of the test; returns its exporter. */
export function registerSdk(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new TraceparentPropagator());
  cleanups.push(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
    await provider.shutdown();
  });
  return exporter;
}

/** A fresh namespace for the memory transport and backend of one test. */
export const namespace = (): string => testNamespace('tracing-test');

/** An app on the memory transport and backend of `ns`, closed after the test. */
export function makeApp(ns: string, options: AppOptions = {}): App {
  const app = createTestApp({ ...options, namespace: ns });
  cleanups.push(() => app.close());
  return app;
}

/** A started in-process worker on `app`, stopped after the test. */
export async function startWorker(app: App): Promise<Worker> {
  const worker = await startTestWorker(app, { hostname: 'w1@test', closeApp: true });
  cleanups.push(() => worker.stop({ graceful: false }));
  return worker;
}

/** Poll `read` until `done` holds (or fail after `timeoutMs`). */
export const until = <T>(read: () => T, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> => waitFor(read, done, { timeoutMs });

/** The finished span named `name` (exactly one expected). */
export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0] as ReadableSpan;
}

/** The parent span id of `span` (SDK 2.x: `parentSpanContext`). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
