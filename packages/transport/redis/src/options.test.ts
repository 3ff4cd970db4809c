import { describe, expect, it } from 'vitest';
import { ConfigError } from '@q/core';
import { resolveRedisOptions } from './options.js';

function caught(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error');
}

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

  it('names where a bad duration came from: Q_ERR_URL_INVALID for the URL query, Q_ERR_CONFIG_INVALID for a transport option', () => {
    for (const name of ['visibility_timeout', 'unacked_mutex_expire']) {
      const q = caught(() => resolveRedisOptions(`redis://u:secret@h/0?${name}=abc`));
      expect(q.code).toBe('Q_ERR_URL_INVALID');
      expect(q.message).toContain(`query parameter ${name}="abc"`);
      expect(q.message).not.toContain('secret');
      expect(caught(() => resolveRedisOptions(`redis://h/0?${name}=-5`)).code).toBe('Q_ERR_URL_INVALID');
      const t = caught(() => resolveRedisOptions({ transportOptions: { [name]: 'abc' } }));
      expect(t.code).toBe('Q_ERR_CONFIG_INVALID');
      expect(t.message).toContain(`transport option ${name}`);
      expect(t.message).toContain('"abc"');
      // the transport option is the one read (and named) when both are given
      expect(caught(() => resolveRedisOptions({ url: `redis://h/0?${name}=60`, transportOptions: { [name]: 'abc' } })).code).toBe('Q_ERR_CONFIG_INVALID');
    }
  });

  it('reads a numeric duration from the URL query; an empty one counts as not set', () => {
    expect(resolveRedisOptions('redis://h/0?visibility_timeout=600&unacked_mutex_expire=5').visibilityTimeoutMs).toBe(600_000);
    expect(resolveRedisOptions('redis://h/0?unacked_mutex_expire=5').unackedMutexExpireMs).toBe(5000);
    expect(resolveRedisOptions('redis://h/0?visibility_timeout=').visibilityTimeoutMs).toBe(3_600_000);
    expect(resolveRedisOptions({ transportOptions: { visibility_timeout: '' } }).visibilityTimeoutMs).toBe(3_600_000);
  });

  it('reads fanout_prefix on/off words from the URL query (no prefix, the default prefix) and other strings as the prefix', () => {
    expect(resolveRedisOptions('redis://h/4?fanout_prefix=false').naming.fanoutPrefix).toBe('');
    expect(resolveRedisOptions('redis://h/4?fanout_prefix=no').naming.fanoutPrefix).toBe('');
    expect(resolveRedisOptions('redis://h/4?fanout_prefix=yes').naming.fanoutPrefix).toBe('/4.');
    expect(resolveRedisOptions('redis://h/4?fanout_prefix=proj.').naming.fanoutPrefix).toBe('proj.');
    expect(resolveRedisOptions({ url: 'redis://h/4?fanout_prefix=proj.', transportOptions: { fanout_prefix: 'off' } }).naming.fanoutPrefix).toBe('');
  });

  it.each(['no', 'off', '0', 'false', 'NO', ' Off ', 'n', 'f'])('reads %j as off for on/off options, from the URL query and from transport options', (word) => {
    const fromQuery = resolveRedisOptions(`redis://h/0?ack_emulation=${encodeURIComponent(word)}&fanout_patterns=${encodeURIComponent(word)}`);
    expect(fromQuery.ackEmulation).toBe(false);
    expect(fromQuery.naming.fanoutPatterns).toBe(false);
    const fromOptions = resolveRedisOptions({ transportOptions: { ack_emulation: word, fanout_patterns: word } });
    expect(fromOptions.ackEmulation).toBe(false);
    expect(fromOptions.naming.fanoutPatterns).toBe(false);
  });

  it('reads true words, booleans and 1/0 for on/off options; absent or empty keeps the default', () => {
    expect(resolveRedisOptions('redis://h/0?ack_emulation=yes').ackEmulation).toBe(true);
    expect(resolveRedisOptions('redis://h/0?ack_emulation=ON').ackEmulation).toBe(true);
    expect(resolveRedisOptions({ transportOptions: { ack_emulation: false } }).ackEmulation).toBe(false);
    expect(resolveRedisOptions({ transportOptions: { ack_emulation: 0 } }).ackEmulation).toBe(false);
    expect(resolveRedisOptions({ transportOptions: { ack_emulation: 1 } }).ackEmulation).toBe(true);
    expect(resolveRedisOptions({ transportOptions: { ack_emulation: null } }).ackEmulation).toBe(true);
    expect(resolveRedisOptions('redis://h/0?ack_emulation=').ackEmulation).toBe(true);
    expect(resolveRedisOptions('redis://h/0?ack_emulation=off').ackEmulation).toBe(false);
    // a transport option wins over the URL query
    expect(resolveRedisOptions({ url: 'redis://h/0?ack_emulation=off', transportOptions: { ack_emulation: 'on' } }).ackEmulation).toBe(true);
  });

  it('rejects an unknown on/off word with a ConfigError naming the option and the value', () => {
    const q = caught(() => resolveRedisOptions('redis://u:secret@h/0?ack_emulation=maybe'));
    expect(q.code).toBe('Q_ERR_URL_INVALID');
    expect(q.message).toContain('query parameter ack_emulation="maybe"');
    expect(q.message).not.toContain('secret');
    const t = caught(() => resolveRedisOptions({ transportOptions: { fanout_patterns: 'maybe' } }));
    expect(t.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(t.message).toContain('fanout_patterns');
    expect(t.message).toContain('"maybe"');
    expect(caught(() => resolveRedisOptions({ transportOptions: { ack_emulation: 2 } })).message).toContain('ack_emulation');
  });
});
