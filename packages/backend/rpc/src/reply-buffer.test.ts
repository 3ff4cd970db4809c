import { pendingMeta } from '@q/core/adapter';
import type { TaskMeta } from '@q/core';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../test/support.js';
import { ReplyBuffer } from './reply-buffer.js';

const state = (id: string, status: string, result: unknown = null): TaskMeta => ({ ...pendingMeta(id), status, result });

describe('ReplyBuffer', () => {
  it('keeps at most max ids, dropping the least recently updated first, and warns once', () => {
    const logger = recordingLogger();
    const buffer = new ReplyBuffer(2, () => logger);
    buffer.put(state('a', 'STARTED'));
    buffer.put(state('b', 'SUCCESS', 2));
    buffer.put(state('a', 'SUCCESS', 1)); // a is now the most recent
    buffer.put(state('c', 'SUCCESS', 3));
    expect([buffer.get('a')?.result, buffer.get('b'), buffer.get('c')?.result]).toEqual([1, null, 3]);
    buffer.put(state('d', 'SUCCESS', 4));
    expect(buffer.size).toBe(2);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('never drops an id that is being watched', () => {
    const buffer = new ReplyBuffer(1, () => recordingLogger());
    const off = buffer.watch('w', () => undefined);
    buffer.put(state('w', 'STARTED'));
    buffer.put(state('x', 'SUCCESS'));
    expect(buffer.get('w')?.status).toBe('STARTED');
    expect(buffer.get('x')).toBeNull();
    off();
    buffer.put(state('y', 'SUCCESS'));
    expect(buffer.get('w')).toBeNull();
  });

  it('wakes the watchers of the id only, until they unsubscribe; a throwing watcher is logged', () => {
    const logger = recordingLogger();
    const buffer = new ReplyBuffer(10, () => logger);
    const seen: string[] = [];
    buffer.watch('t', () => {
      throw new Error('watcher bug');
    });
    const off = buffer.watch('t', (m) => seen.push(m.status));
    buffer.put(state('other', 'SUCCESS'));
    buffer.put(state('t', 'RETRY'));
    off();
    buffer.put(state('t', 'SUCCESS'));
    expect(seen).toEqual(['RETRY']);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });

  it('a SUCCESS is final; any other state can be replaced; forget drops it', () => {
    const buffer = new ReplyBuffer(10, () => recordingLogger());
    expect(buffer.put(state('t', 'FAILURE'))).toBe(true);
    expect(buffer.put(state('t', 'SUCCESS', 'ok'))).toBe(true);
    expect(buffer.put(state('t', 'FAILURE'))).toBe(false);
    expect(buffer.get('t')).toMatchObject({ status: 'SUCCESS', result: 'ok' });
    buffer.forget('t');
    expect(buffer.get('t')).toBeNull();
  });
});
