import { describe, expect, it } from 'vitest';
import { consoleLogger } from './console-logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

describe('consoleLogger', () => {
  it("writes Celery's text line: time, level label and name, message, then the fields", () => {
    const { lines, stream } = capture();
    const log = consoleLogger({ stream });
    log.info({ pool: 'async', concurrency: 100, queues: ['celery'] }, 'celery@box ready.');
    log.warn('careful');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}: INFO\/worker\] celery@box ready\. pool=async concurrency=100 queues=\["celery"\]\n$/);
    expect(lines[1]).toMatch(/: WARNING\/worker\] careful\n$/);
  });

  it('drops lines below its level (info by default) and says which levels are on', () => {
    const { lines, stream } = capture();
    const log = consoleLogger({ stream });
    log.debug('hidden');
    log.trace({ a: 1 }, 'hidden');
    log.error('shown');
    log.fatal('shown');
    expect(lines.map((l) => l.split('] ')[0]?.split(': ')[1])).toEqual(['ERROR/worker', 'CRITICAL/worker']);
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(log.isLevelEnabled('info')).toBe(true);
    const quiet = consoleLogger({ stream, level: 'silent' });
    quiet.fatal('nothing');
    expect(lines).toHaveLength(2);
    const verbose = consoleLogger({ stream, level: 'debug', name: 'MainProcess' });
    verbose.debug('now shown');
    expect(lines[2]).toMatch(/: DEBUG\/MainProcess\] now shown\n$/);
  });

  it("children carry their bindings; the worker's node name is not repeated on every line", () => {
    const { lines, stream } = capture();
    const task = consoleLogger({ stream }).child({ node: 'celery@box' }).child({ taskId: 't1', task: 'tasks.add' });
    task.info('Task tasks.add[t1] succeeded');
    expect(lines[0]).toMatch(/\] Task tasks\.add\[t1\] succeeded taskId=t1 task=tasks\.add\n$/);
    expect(lines[0]).not.toContain('celery@box');
  });

  it('shows an error field as its type and message, followed by its stack', () => {
    const { lines, stream } = capture();
    consoleLogger({ stream }).error({ err: new TypeError('bad') }, 'failed');
    expect(lines[0]).toMatch(/\] failed err="TypeError: bad"\nTypeError: bad\n {4}at /);
  });

  it('writes values JSON cannot show as text instead of throwing', () => {
    const { lines, stream } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    consoleLogger({ stream }).info({ big: 10n, cyclic }, 'odd values');
    expect(lines[0]).toMatch(/\] odd values big=10 cyclic=\[object Object\]\n$/);
  });
});
