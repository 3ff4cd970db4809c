import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { HookName, HookPayloads, Message, PluginApi } from '@q/core';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { tracingPlugin } from './tracing-plugin.js';
import type { TracingPluginOptions } from './tracing-plugin.js';

type Handlers = { [N in HookName]?: (p: HookPayloads[N]) => void | Promise<void> };

/** Set the plugin up on a fake api; returns its hook handlers. */
async function setUp(options: TracingPluginOptions): Promise<Handlers> {
  const handlers: Record<string, unknown> = {};
  const unused = (): void => undefined;
  const api: PluginApi = {
    transport: unused,
    backend: unused,
    serializer: unused,
    codec: unused,
    pool: unused,
    bootstep: unused,
    controlCommand: unused,
    inspectCommand: unused,
    cliCommand: unused,
    cliOption: unused,
    schedule: unused,
    beatStore: unused,
    beatLock: unused,
    hook: (name, handler) => void (handlers[name] = handler),
    logger: silentLogger,
  };
  await tracingPlugin(options).setup(api);
  return handlers as Handlers;
}

function message(headers: Record<string, unknown> = {}): Message {
  return { body: new Uint8Array(), contentType: 'application/json', contentEncoding: 'utf-8', headers, properties: {} };
}

function sdk(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  return { exporter, provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) };
}

describe('tracingPlugin (hooks, no worker)', () => {
  it('is named after `name` and subscribes to the publish and task hooks', async () => {
    expect(tracingPlugin().name).toBe('@q/tracing');
    expect(tracingPlugin({ name: 'mine' }).name).toBe('mine');
    const handlers = await setUp({});
    expect(Object.keys(handlers).sort()).toEqual(['afterPublish', 'beforePublish', 'taskFailure', 'taskPostrun', 'taskPrerun', 'taskRetry', 'taskRevoked', 'taskSuccess']);
  });

  it('ends a publish span at afterPublish, with the queue it was routed to', async () => {
    const { exporter, provider } = sdk();
    const h = await setUp({ tracerProvider: provider, messagingSystem: 'redis' });
    await h.beforePublish?.({ taskId: 't1', taskName: 'tasks.add', message: message({ root_id: 't1' }), exchange: '', routingKey: 'rk' });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await h.afterPublish?.({ taskId: 't1', taskName: 'tasks.add', exchange: '', routingKey: 'rk', queue: 'q1', headers: {} });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('tasks.add publish');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.instrumentationScope.name).toBe('@q/tracing');
    expect(span?.attributes).toMatchObject({ 'messaging.system': 'redis', 'messaging.destination.name': 'q1', 'celery.routing_key': 'rk', 'messaging.message.id': 't1' });
  });

  it('ends publish spans whose afterPublish never came once more than maxOpenSpans are open', async () => {
    const { exporter, provider } = sdk();
    const h = await setUp({ tracerProvider: provider, maxOpenSpans: 2 });
    for (const id of ['a', 'b', 'c']) await h.beforePublish?.({ taskId: id, taskName: 't', message: message(), exchange: '', routingKey: 'celery' });
    const ended = exporter.getFinishedSpans();
    expect(ended.map((s) => [s.attributes['messaging.message.id'], s.attributes['q.span.evicted']])).toEqual([['a', true]]);
  });

  it('uses the given tracer', async () => {
    const { exporter, provider } = sdk();
    const h = await setUp({ tracer: provider.getTracer('custom') });
    await h.taskPrerun?.({ taskId: 'x', taskName: 't', args: [], kwargs: {}, headers: {} });
    await h.taskPostrun?.({ taskId: 'x', taskName: 't', args: [], kwargs: {}, headers: {}, state: 'SUCCESS', result: 1 });
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.instrumentationScope.name, s.kind])).toEqual([['t run', 'custom', SpanKind.CONSUMER]]);
  });

  it('injects nothing into the headers when no SDK is registered', async () => {
    const h = await setUp({});
    const msg = message();
    await h.beforePublish?.({ taskId: 'a', taskName: 't', message: msg, exchange: '', routingKey: 'celery' });
    expect(msg.headers).toEqual({});
  });
});
