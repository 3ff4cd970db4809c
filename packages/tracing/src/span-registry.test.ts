import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { EVICTED_ATTRIBUTE, SpanRegistry } from './span-registry.js';

function tracer(): { exporter: InMemorySpanExporter; start: (name: string) => ReturnType<ReturnType<BasicTracerProvider['getTracer']>['startSpan']> } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const t = provider.getTracer('test');
  return { exporter, start: (name) => t.startSpan(name) };
}

describe('SpanRegistry', () => {
  it('ends and drops the oldest span past its bound, marked evicted', () => {
    const { exporter, start } = tracer();
    const registry = new SpanRegistry(2);
    registry.add('a', start('a'));
    registry.add('b', start('b'));
    registry.add('c', start('c'));
    expect(registry.size).toBe(2);
    expect(registry.get('a')).toBeUndefined();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes[EVICTED_ATTRIBUTE]])).toEqual([['a', true]]);
  });

  it('with replace, ends the span already open for the id', () => {
    const { exporter, start } = tracer();
    const registry = new SpanRegistry(10);
    registry.add('a', start('first'), { replace: true });
    const second = start('second');
    registry.add('a', second, { replace: true });
    expect(registry.get('a')).toBe(second);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['first']);
  });

  it('keeps several spans of one id apart by tag, falling back to the newest', () => {
    const { start } = tracer();
    const registry = new SpanRegistry(10);
    const tag1 = {};
    const tag2 = {};
    const s1 = start('1');
    const s2 = start('2');
    registry.add('a', s1, { tag: tag1 });
    registry.add('a', s2, { tag: tag2 });
    expect(registry.get('a', tag1)).toBe(s1);
    expect(registry.get('a')).toBe(s2);
    expect(registry.getTagged('a', {})).toBeUndefined();
    expect(registry.take('a', tag1)).toBe(s1);
    expect(registry.take('a', tag1)).toBe(s2);
    expect(registry.size).toBe(0);
  });

  it('endAll ends every open span', () => {
    const { exporter, start } = tracer();
    const registry = new SpanRegistry(10);
    registry.add('a', start('a'));
    registry.add('b', start('b'));
    registry.endAll();
    expect(registry.size).toBe(0);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });
});
