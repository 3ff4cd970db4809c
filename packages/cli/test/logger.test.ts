import { describe, expect, it } from 'vitest';
import { flushLogger } from '@q/worker';
import { createLogger, formatLine, parseLogLevel } from '../src/logger.js';

describe('parseLogLevel', () => {
  it('accepts pino and Celery names, case-insensitively', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(parseLogLevel('warning')).toBe('warn');
    expect(parseLogLevel('CRITICAL')).toBe('fatal');
  });

  it('rejects unknown levels', () => {
    expect(() => parseLogLevel('loud')).toThrow(/unknown level "loud"/);
  });
});

describe('createLogger', () => {
  it('writes text lines at or above the level', () => {
    let written = '';
    const logger = createLogger({ level: 'info', format: 'text', name: 'worker', sink: { write: (t: string) => (written += t) } });
    logger.debug('hidden');
    logger.info({ task: 'tasks.add' }, 'celery@box ready.');
    // Text lines are written once per event-loop turn, or when flushed.
    expect(written).toBe('');
    flushLogger(logger);
    expect(written).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}: INFO\/worker\] celery@box ready\. task=tasks\.add\n$/);
  });

  it('writes JSON lines with --log-format json', () => {
    let written = '';
    const logger = createLogger({ level: 'warn', format: 'json', name: 'call', sink: { write: (t: string) => (written += t) } });
    logger.warn('careful');
    expect(JSON.parse(written)).toMatchObject({ level: 40, msg: 'careful', name: 'call' });
  });

  it("a worker's lines (node name bound as `node`) show it once in JSON and not at all in text", () => {
    let json = '';
    let text = '';
    const sink = (add: (t: string) => void) => ({ write: (t: string) => void add(t) });
    createLogger({ level: 'info', format: 'json', name: 'worker', sink: sink((t) => (json += t)) }).child({ node: 'celery@box' }).info('celery@box ready.');
    const worker = createLogger({ level: 'info', format: 'text', name: 'worker', sink: sink((t) => (text += t)) }).child({ node: 'celery@box' });
    worker.info({ pool: 'solo' }, 'celery@box ready.');
    flushLogger(worker);
    expect(json.match(/"(node|hostname)":/g)).toEqual(['"node":']);
    expect(JSON.parse(json)).toMatchObject({ node: 'celery@box', msg: 'celery@box ready.' });
    expect(text).toMatch(/\] celery@box ready\. pool=solo\n$/);
  });
});

describe('formatLine', () => {
  it('prints errors with their stacks', () => {
    const line = JSON.stringify({ level: 50, time: 0, name: 'w', msg: 'failed', err: { type: 'Error', message: 'x', stack: 'Error: x\n    at y' } });
    expect(formatLine(line)).toMatch(/ERROR\/w\] failed err="Error: x"\nError: x\n {4}at y\n$/);
  });
});
