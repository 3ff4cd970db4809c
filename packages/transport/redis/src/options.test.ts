import { describe, expect, it } from 'vitest';
import { ConfigError } from '@q/core';
import { resolveRedisOptions } from './options.js';

describe('resolveRedisOptions', () => {
  it("uses kombu's defaults", () => {
    const o = resolveRedisOptions();
    expect(o.url).toBe('redis://127.0.0.1:6379/0');
    expect(o.visibilityTimeoutMs).toBe(3_600_000);
    expect(o.sweepIntervalMs).toBe(100_000);
    expect(o).toMatchObject({ unackedKey: 'unacked', unackedIndexKey: 'unacked_index', unackedMutexKey: 'unacked_mutex', unackedMutexExpireMs: 300_000 });
    expect(o.naming).toEqual({ prefix: '', sep: '\x06\x16', fanoutPrefix: '/0.', fanoutPatterns: true });
    expect(o.ackEmulation).toBe(true);
    expect(o.blockingMode).toBe('peek');
  });

  it('reads kombu transport options (seconds) and URL query parameters', () => {
    const o = resolveRedisOptions({
      url: 'redis://h/4?visibility_timeout=60&fanout_patterns=false',
      transportOptions: { global_keyprefix: 'app:', fanout_prefix: false, unacked_restore_limit: 10, ack_emulation: 'False' },
    });
    expect(o.visibilityTimeoutMs).toBe(60_000);
    expect(o.sweepIntervalMs).toBe(15_000);
    expect(o.naming).toEqual({ prefix: 'app:', sep: '\x06\x16', fanoutPrefix: '', fanoutPatterns: false });
    expect(o.unackedRestoreLimit).toBe(10);
    expect(o.ackEmulation).toBe(false);
  });

  it('prefers typed options over transport options', () => {
    const o = resolveRedisOptions({ url: 'redis://h/2', visibilityTimeoutMs: 400, globalKeyprefix: 'x:', transportOptions: { visibility_timeout: 9, global_keyprefix: 'y:' } });
    expect(o.visibilityTimeoutMs).toBe(400);
    expect(o.sweepIntervalMs).toBe(100);
    expect(o.naming.prefix).toBe('x:');
    expect(o.naming.fanoutPrefix).toBe('/2.');
  });

  it('rejects a bad visibility_timeout', () => {
    expect(() => resolveRedisOptions({ transportOptions: { visibility_timeout: 'soon' } })).toThrow(ConfigError);
  });
});
