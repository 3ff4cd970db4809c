import type { Logger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../src/index.js';

describe('recordingLogger', () => {
  it('records level, message and fields, and is a core Logger (its children log into it)', () => {
    const logger = recordingLogger();
    const asCore: Logger = logger;
    asCore.info({ id: 'a' }, 'task received');
    asCore.child({ node: 'w1' }).warn('low memory');
    expect(logger.lines.map(({ level, msg, obj }) => ({ level, msg, obj }))).toEqual([
      { level: 'info', msg: 'task received', obj: { id: 'a' } },
      { level: 'warn', msg: 'low memory', obj: null },
    ]);
  });

  it('finds lines by level, message (text or RegExp), fields or a predicate', () => {
    const logger = recordingLogger();
    logger.info({ id: 'a', queue: 'q1' }, 'task a succeeded');
    logger.error({ id: 'b' }, 'task b failed');
    logger.info('worker ready');
    expect(logger.find({ level: 'error' })?.msg).toBe('task b failed');
    expect(logger.find({ msg: /^task \w succeeded$/ })?.obj).toEqual({ id: 'a', queue: 'q1' });
    expect(logger.filter({ level: 'info', msg: 'task' }).map((l) => l.msg)).toEqual(['task a succeeded']);
    expect(logger.has({ fields: { id: 'b' } })).toBe(true);
    expect(logger.has({ level: 'info', fields: { id: 'b' } })).toBe(false);
    expect(logger.filter((l) => l.obj === null).map((l) => l.msg)).toEqual(['worker ready']);
    expect(logger.messages('info')).toEqual(['task a succeeded', 'worker ready']);
    logger.clear();
    expect(logger.lines).toEqual([]);
    expect(logger.messages()).toEqual([]);
  });
});
