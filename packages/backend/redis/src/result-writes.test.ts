import { describe, expect, it } from 'vitest';
import { RESULT_WRITES_LUA, ttlArgument } from './result-writes.js';

describe('result-writes script', () => {
  it('passes whole milliseconds, or nothing to keep forever', () => {
    expect(ttlArgument(null)).toBe('');
    expect(ttlArgument(86_400_000)).toBe('86400000');
    expect(ttlArgument(150.4)).toBe('150');
    expect(ttlArgument(0)).toBe('1');
  });

  it('recognises a stored SUCCESS by the prefix Celery writes (status first)', () => {
    const prefix = /string\.sub\(current, 1, (\d+)\) == '([^']+)'/.exec(RESULT_WRITES_LUA);
    expect(prefix?.[2]).toBe('{"status": "SUCCESS",');
    expect(Number(prefix?.[1])).toBe(prefix?.[2]?.length);
  });
});
