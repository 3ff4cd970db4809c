import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Plugin, TaskContext } from '@q/core';
import { Retry, chain } from '@q/core';
import { describe, expect, it } from 'vitest';
import { tracingPlugin, withTaskTraceContext } from '../src/index.js';
import { makeApp, namespace, parentOf, registerSdk, spanNamed, startWorker, until } from './helpers.js';

/** A plugin recording the wire headers of every published task message, by task name. */
function headerRecorder(seen: Map<string, Readonly<Record<string, unknown>>>): Plugin {
  return { name: 'recorder', setup: (api) => api.hook('afterPublish', (p) => void seen.set(p.taskName, p.headers)) };
}

describe('tracingPlugin (in-process worker, memory transport)', () => {
  it('puts client → publish → run → subtask publish → subtask run in one trace, each the parent of the next', async () => {
    const exporter = registerSdk();
    const wire = new Map<string, Readonly<Record<string, unknown>>>();
    const app = makeApp(namespace(), { plugins: [tracingPlugin(), headerRecorder(wire)] });
    let childHeaders: Readonly<Record<string, unknown>> | undefined;
    app.task({ name: 'tasks.child', bind: true }, (ctx: TaskContext, x: number) => {
      childHeaders = ctx.headers;
      return x * 2;
    });
    app.task({ name: 'tasks.parent' }, async (x: number) => {
      await app.sendTask('tasks.child', [x]);
      return x;
    });
    await startWorker(app);

    const client = trace.getTracer('test').startSpan('client');
    await context.with(trace.setSpan(context.active(), client), () => app.sendTask('tasks.parent', [21]));
    client.end();

    const spans = await until(() => exporter.getFinishedSpans(), (s) => s.length >= 5);
    const pub = spanNamed(spans, 'tasks.parent publish');
    const run = spanNamed(spans, 'tasks.parent run');
    const subPub = spanNamed(spans, 'tasks.child publish');
    const subRun = spanNamed(spans, 'tasks.child run');
    const clientSpan = spanNamed(spans, 'client');

    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([clientSpan.spanContext().traceId]));
    expect(parentOf(pub)).toBe(clientSpan.spanContext().spanId);
    expect(parentOf(run)).toBe(pub.spanContext().spanId);
    expect(parentOf(subPub)).toBe(run.spanContext().spanId);
    expect(parentOf(subRun)).toBe(subPub.spanContext().spanId);
    expect([pub.kind, run.kind, subPub.kind, subRun.kind]).toEqual([SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.CONSUMER]);

    const parentId = pub.attributes['messaging.message.id'];
    expect(pub.attributes).toMatchObject({
      'messaging.system': 'q',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'celery',
      'celery.task_name': 'tasks.parent',
      'celery.action': 'apply_async',
      'celery.routing_key': 'celery',
    });
    expect(run.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.message.id': parentId,
      'celery.task_name': 'tasks.parent',
      'celery.state': 'SUCCESS',
    });
    expect(subPub.attributes).toMatchObject({ 'celery.parent_id': parentId, 'messaging.message.conversation_id': parentId });
    expect(subRun.attributes['celery.state']).toBe('SUCCESS');
    expect(run.status.code).toBe(SpanStatusCode.UNSET);

    // The trace context travels as message headers: the publish span's, in W3C form.
    const traceId = clientSpan.spanContext().traceId;
    expect(wire.get('tasks.parent')?.['traceparent']).toBe(`00-${traceId}-${pub.spanContext().spanId}-01`);
    expect(wire.get('tasks.child')?.['traceparent']).toBe(`00-${traceId}-${subPub.spanContext().spanId}-01`);
    expect(childHeaders?.['traceparent']).toBe(`00-${traceId}-${subPub.spanContext().spanId}-01`);
  });

  it("marks a failing task's run span ERROR with an exception event", async () => {
    const exporter = registerSdk();
    const app = makeApp(namespace(), { plugins: [tracingPlugin()] });
    app.task({ name: 'tasks.fail' }, () => {
      throw new TypeError('bad thing');
    });
    await startWorker(app);
    await app.sendTask('tasks.fail');
    const spans = await until(() => exporter.getFinishedSpans(), (s) => s.some((x) => x.name === 'tasks.fail run'));
    const run = spanNamed(spans, 'tasks.fail run');
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TypeError: bad thing' });
    expect(run.attributes['celery.state']).toBe('FAILURE');
    const event = run.events.find((e) => e.name === 'exception');
    expect(event?.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad thing' });
    expect(parentOf(run)).toBe(spanNamed(spans, 'tasks.fail publish').spanContext().spanId);
  });

  it('parents the publish of a retry on the run span it came from, and the next run on that publish', async () => {
    const exporter = registerSdk();
    const app = makeApp(namespace(), { plugins: [tracingPlugin()] });
    app.task({ name: 'tasks.flaky', bind: true }, (ctx: TaskContext) => {
      if (ctx.retries === 0) throw new Retry({ countdownSeconds: 0, exc: new Error('try again') });
      return 'ok';
    });
    await startWorker(app);
    await app.sendTask('tasks.flaky');
    const spans = await until(() => exporter.getFinishedSpans(), (s) => s.filter((x) => x.name === 'tasks.flaky run').length === 2);
    const runs = spans.filter((s) => s.name === 'tasks.flaky run');
    const pubs = spans.filter((s) => s.name === 'tasks.flaky publish');
    expect(pubs).toHaveLength(2);
    const first = runs.find((s) => s.attributes['celery.state'] === 'RETRY');
    const second = runs.find((s) => s.attributes['celery.state'] === 'SUCCESS');
    const retryPub = pubs.find((s) => s.attributes['celery.retries'] === 1);
    expect(first?.attributes).toMatchObject({ 'celery.retry.reason': 'try again', 'celery.retry.countdown_ms': 0 });
    expect(parentOf(retryPub!)).toBe(first?.spanContext().spanId);
    expect(parentOf(second!)).toBe(retryPub?.spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it('adds no traceparent header, and no span, without the plugin', async () => {
    const exporter = registerSdk();
    const wire = new Map<string, Readonly<Record<string, unknown>>>();
    const app = makeApp(namespace(), { plugins: [headerRecorder(wire)] });
    app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    await startWorker(app);
    const client = trace.getTracer('test').startSpan('client');
    const r = await context.with(trace.setSpan(context.active(), client), () => app.sendTask('tasks.add', [1, 2]));
    client.end();
    expect(await r.get({ timeout: 3 })).toBe(3);
    expect(wire.get('tasks.add')).toBeDefined();
    expect(wire.get('tasks.add')?.['traceparent']).toBeUndefined();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['client']);
  });
});

describe('tracingPlugin: chains', () => {
  it('parents the next step of a chain, sent by the worker after a step, on that step\'s run span', async () => {
    const exporter = registerSdk();
    const app = makeApp(namespace(), { plugins: [tracingPlugin()] });
    const add = app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const mul = app.task({ name: 'tasks.mul', params: ['x', 'y'] }, (x: number, y: number) => x * y);
    await startWorker(app);
    const r = await chain(add.s(2, 2), mul.s(3)).applyAsync();
    expect(await r.get({ timeout: 3 })).toBe(12);
    const spans = await until(() => exporter.getFinishedSpans(), (s) => s.some((x) => x.name === 'tasks.mul run'));
    expect(parentOf(spanNamed(spans, 'tasks.mul publish'))).toBe(spanNamed(spans, 'tasks.add run').spanContext().spanId);
    expect(parentOf(spanNamed(spans, 'tasks.mul run'))).toBe(spanNamed(spans, 'tasks.mul publish').spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });
});

describe('tracingPlugin: tasks that never run', () => {
  it('gives an expired task a REVOKED run span under its publish span', async () => {
    const exporter = registerSdk();
    const app = makeApp(namespace(), { plugins: [tracingPlugin()] });
    app.task({ name: 'tasks.late' }, () => 'never');
    await app.sendTask('tasks.late', [], {}, { expires: new Date(Date.now() - 60_000) });
    await startWorker(app);
    const spans = await until(() => exporter.getFinishedSpans(), (s) => s.some((x) => x.name === 'tasks.late run'));
    const run = spanNamed(spans, 'tasks.late run');
    expect(run.attributes).toMatchObject({ 'celery.state': 'REVOKED', 'celery.revoked': true, 'celery.revoked.expired': true, 'celery.revoked.terminated': false });
    expect(parentOf(run)).toBe(spanNamed(spans, 'tasks.late publish').spanContext().spanId);
  });
});

describe('withTaskTraceContext', () => {
  it("runs a body in its message's trace context: its spans are children of the task's publish span", async () => {
    const exporter = registerSdk();
    const app = makeApp(namespace(), { plugins: [tracingPlugin()] });
    app.task({ name: 'tasks.inner', bind: true }, (ctx: TaskContext) => withTaskTraceContext(ctx, () => trace.getTracer('body').startSpan('inner').end()));
    await startWorker(app);
    await app.sendTask('tasks.inner');
    const spans = await until(() => exporter.getFinishedSpans(), (s) => s.some((x) => x.name === 'tasks.inner run'));
    const publish = spanNamed(spans, 'tasks.inner publish');
    const inner = spanNamed(spans, 'inner');
    expect(parentOf(inner)).toBe(publish.spanContext().spanId);
    expect(inner.spanContext().traceId).toBe(publish.spanContext().traceId);
  });
});
