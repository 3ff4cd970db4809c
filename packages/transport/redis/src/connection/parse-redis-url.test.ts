import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@q/core';
import { parseRedisUrl } from './parse-redis-url.js';
import { maskRedisUrl } from './mask-redis-url.js';
import { clientOptions, reconnectDelay } from './create-redis-client.js';

/** The ConfigError `fn` throws (fails the test when it throws something else or nothing). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).code;
  }
  return undefined;
}

describe('parseRedisUrl', () => {
  it('reads host, port, db and credentials of redis://', () => {
    const p = parseRedisUrl('redis://user:s%40cret@example.com:6380/3');
    expect(p).toMatchObject({ kind: 'tcp', db: 3 });
    expect(p.redis).toMatchObject({ host: 'example.com', port: 6380, db: 3, username: 'user', password: 's@cret' });
  });

  it('defaults to localhost:6379 db 0 and accepts a password without user', () => {
    expect(parseRedisUrl('redis://').redis).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    const p = parseRedisUrl('redis://:pw@h');
    expect(p.redis.password).toBe('pw');
    expect(p.redis.username).toBeUndefined();
  });

  it('turns on TLS for rediss:// and honours ssl_cert_reqs=none', () => {
    expect(parseRedisUrl('rediss://h:6380/0').redis.tls).toEqual({});
    const p = parseRedisUrl('rediss://h/0?ssl_cert_reqs=CERT_NONE&foo=bar');
    expect(p.redis.tls).toEqual({ rejectUnauthorized: false });
    expect(p.query).toEqual({ foo: 'bar' });
  });

  describe('TLS settings of rediss:// (redis-py names)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'q-redis-tls-unit-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const ca = file('ca.pem', 'CA PEM');
    const cert = file('client.pem', 'CLIENT CERT PEM');
    const key = file('client.key', 'CLIENT KEY PEM');
    const missing = join(dir, 'no-such.pem');
    const text = (v: unknown): string => Buffer.from(v as Uint8Array).toString('utf8');

    it('reads ssl_ca_certs, ssl_certfile and ssl_keyfile from the query into ca, cert and key', () => {
      const p = parseRedisUrl(`rediss://h:6380/0?ssl_ca_certs=${encodeURIComponent(ca)}&ssl_certfile=${cert}&ssl_keyfile=${key}&x=1`);
      expect(text(p.redis.tls?.ca)).toBe('CA PEM');
      expect(text(p.redis.tls?.cert)).toBe('CLIENT CERT PEM');
      expect(text(p.redis.tls?.key)).toBe('CLIENT KEY PEM');
      expect(p.redis.tls?.rejectUnauthorized).toBeUndefined();
      expect(p.query).toEqual({ x: '1' });
    });

    it('reads the same keys from transport options (broker_use_ssl), the query winning key by key', () => {
      const other = file('other-ca.pem', 'OTHER CA PEM');
      const p = parseRedisUrl(`rediss://h/0?ssl_ca_certs=${other}`, { ssl_ca_certs: ca, ssl_certfile: cert, ssl_keyfile: key, ssl_cert_reqs: 'CERT_REQUIRED' });
      expect(text(p.redis.tls?.ca)).toBe('OTHER CA PEM');
      expect(text(p.redis.tls?.cert)).toBe('CLIENT CERT PEM');
      expect(text(p.redis.tls?.key)).toBe('CLIENT KEY PEM');
      expect(p.redis.tls?.rejectUnauthorized).toBeUndefined();
      expect(parseRedisUrl('rediss://h/0?ssl_cert_reqs=required', { ssl_cert_reqs: 'none' }).redis.tls).toEqual({});
      expect(parseRedisUrl('rediss://h/0', { ssl_cert_reqs: 'none' }).redis.tls).toEqual({ rejectUnauthorized: false });
      // An empty query value counts as not given.
      expect(parseRedisUrl('rediss://h/0?ssl_cert_reqs=&ssl_ca_certs=', { ssl_cert_reqs: 'none' }).redis.tls).toEqual({ rejectUnauthorized: false });
    });

    it('maps every ssl_cert_reqs spelling: none turns verification off, optional and required verify', () => {
      for (const v of ['none', 'CERT_NONE', 'cert_none']) expect(parseRedisUrl(`rediss://h?ssl_cert_reqs=${v}`).redis.tls).toEqual({ rejectUnauthorized: false });
      for (const v of ['required', 'CERT_REQUIRED', 'optional', 'CERT_OPTIONAL']) expect(parseRedisUrl(`rediss://h?ssl_cert_reqs=${v}`).redis.tls).toEqual({});
      // Python's ssl.CERT_NONE / CERT_OPTIONAL / CERT_REQUIRED are 0 / 1 / 2 in a broker_use_ssl dict.
      expect(parseRedisUrl('rediss://h', { ssl_cert_reqs: 0 }).redis.tls).toEqual({ rejectUnauthorized: false });
      expect(parseRedisUrl('rediss://h', { ssl_cert_reqs: 2 }).redis.tls).toEqual({});
    });

    it('ssl_check_hostname=false skips only the host name check', () => {
      const tls = parseRedisUrl(`rediss://h?ssl_check_hostname=false&ssl_ca_certs=${ca}`).redis.tls;
      expect(tls?.checkServerIdentity).toBeTypeOf('function');
      expect(tls?.checkServerIdentity?.('h', {} as never)).toBeUndefined();
      expect(tls?.rejectUnauthorized).toBeUndefined();
      expect(parseRedisUrl('rediss://h', { ssl_check_hostname: false }).redis.tls?.checkServerIdentity).toBeTypeOf('function');
      expect(parseRedisUrl('rediss://h?ssl_check_hostname=true').redis.tls).toEqual({});
      expect(parseRedisUrl('rediss://h?ssl_check_hostname=true', { ssl_check_hostname: false }).redis.tls).toEqual({});
      for (const off of ['no', 'OFF', '0', 'f', 'n']) expect(parseRedisUrl(`rediss://h?ssl_check_hostname=${off}`).redis.tls?.checkServerIdentity).toBeTypeOf('function');
      for (const on of ['yes', 'On', '1', 't', 'y']) expect(parseRedisUrl(`rediss://h?ssl_check_hostname=${on}`).redis.tls).toEqual({});
      expect(parseRedisUrl('rediss://h', { ssl_check_hostname: 0 }).redis.tls?.checkServerIdentity).toBeTypeOf('function');
    });

    it('rejects an unreadable file with Q_ERR_URL_INVALID naming the parameter and the path', () => {
      for (const param of ['ssl_ca_certs', 'ssl_certfile', 'ssl_keyfile']) {
        const fromQuery = configError(() => parseRedisUrl(`rediss://u:secret@h/0?${param}=${missing}`));
        expect(fromQuery.code).toBe('Q_ERR_URL_INVALID');
        expect(fromQuery.message).toContain(`query parameter ${param}`);
        expect(fromQuery.message).toContain(missing);
        expect(fromQuery.message).toContain('ENOENT');
        expect(fromQuery.message).not.toContain('secret');
        const fromOptions = configError(() => parseRedisUrl('rediss://h/0', { [param]: missing }));
        expect(fromOptions.code).toBe('Q_ERR_URL_INVALID');
        expect(fromOptions.message).toContain(`transport option ${param}`);
        expect(fromOptions.message).toContain(missing);
      }
      expect(configError(() => parseRedisUrl('rediss://h/0', { ssl_ca_certs: dir })).message).toContain('EISDIR');
      expect(configError(() => parseRedisUrl('rediss://h/0', { ssl_ca_certs: 42 })).message).toContain('ssl_ca_certs must be a file path');
    });

    it('rejects an unknown ssl_cert_reqs or ssl_check_hostname value with Q_ERR_URL_INVALID', () => {
      const e = configError(() => parseRedisUrl('rediss://h/0?ssl_cert_reqs=maybe'));
      expect(e.code).toBe('Q_ERR_URL_INVALID');
      expect(e.message).toContain('query parameter ssl_cert_reqs="maybe"');
      expect(configError(() => parseRedisUrl('rediss://h/0', { ssl_cert_reqs: 'CERT_SOMETIMES' })).message).toContain('transport option ssl_cert_reqs');
      expect(configError(() => parseRedisUrl('rediss://h/0', { ssl_cert_reqs: 3 })).code).toBe('Q_ERR_URL_INVALID');
      expect(configError(() => parseRedisUrl('rediss://h/0?ssl_check_hostname=perhaps')).message).toContain('ssl_check_hostname="perhaps"');
    });

    it('ignores ssl_* settings on plain redis:// (no TLS there)', () => {
      const p = parseRedisUrl(`redis://h/0?ssl_ca_certs=${missing}&ssl_cert_reqs=maybe`, { ssl_certfile: missing });
      expect(p.redis.tls).toBeUndefined();
      expect(p.query).toEqual({});
    });
  });

  it('reads a unix socket with virtual_host as the db', () => {
    const p = parseRedisUrl('redis+socket:///var/run/redis.sock?virtual_host=5');
    expect(p).toMatchObject({ kind: 'socket', db: 5 });
    expect(p.redis.path).toBe('/var/run/redis.sock');
    expect(p.redis.host).toBeUndefined();
  });

  it('reads several sentinels and the master name from transport options', () => {
    const p = parseRedisUrl('sentinel://:pw@s1:26379;sentinel://s2/2', { master_name: 'mymaster' });
    expect(p.kind).toBe('sentinel');
    expect(p.db).toBe(2);
    expect(p.redis.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ]);
    expect(p.redis).toMatchObject({ name: 'mymaster', password: 'pw', db: 2 });
  });

  it('maps kombu socket options from seconds to ms', () => {
    const p = parseRedisUrl('redis://h', { socket_connect_timeout: 1.5, socket_timeout: 2 });
    expect(p.redis).toMatchObject({ connectTimeout: 1500, commandTimeout: 2000 });
  });

  it('rejects bad URLs with Q_ERR_URL_INVALID', () => {
    expect(code(() => parseRedisUrl('not a url'))).toBe('Q_ERR_URL_INVALID');
    expect(code(() => parseRedisUrl('http://h'))).toBe('Q_ERR_URL_INVALID');
    expect(code(() => parseRedisUrl('redis://h/abc'))).toBe('Q_ERR_URL_INVALID');
    expect(code(() => parseRedisUrl('redis://h:99999'))).toBe('Q_ERR_URL_INVALID');
    expect(code(() => parseRedisUrl('redis+socket://'))).toBe('Q_ERR_URL_INVALID');
    expect(code(() => parseRedisUrl('sentinel://s1:26379'))).toBe('Q_ERR_URL_INVALID');
  });
});

describe('maskRedisUrl', () => {
  it('hides passwords in every part', () => {
    expect(maskRedisUrl('redis://u:secret@h:1/0')).toBe('redis://u:***@h:1/0');
    expect(maskRedisUrl('sentinel://:a@s1;sentinel://:b@s2')).toBe('sentinel://:***@s1;sentinel://:***@s2');
    expect(maskRedisUrl('redis://h?password=x&y=1')).toBe('redis://h?password=***&y=1');
  });
});

describe('client options', () => {
  it('reconnects forever with capped backoff; blocking clients never fail commands on reconnect', () => {
    expect(reconnectDelay(1)).toBe(50);
    expect(reconnectDelay(3)).toBe(200);
    expect(reconnectDelay(100)).toBe(2000);
    const parsed = parseRedisUrl('redis://h/1');
    expect(clientOptions(parsed, 'blocking').maxRetriesPerRequest).toBeNull();
    expect(clientOptions(parsed, 'command').maxRetriesPerRequest).toBe(20);
    expect(clientOptions(parsed, 'command', { clientName: 'x' }).connectionName).toBe('x');
  });
});
