import { describe, expect, it } from 'vitest';
import { ConfigError } from '@q/core';
import { parseRedisUrl } from './parse-redis-url.js';
import { maskRedisUrl } from './mask-redis-url.js';
import { clientOptions, reconnectDelay } from './create-redis-client.js';

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
