import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
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
    // A real key: the parser checks that the key file holds a usable private key.
    const KEY_PEM = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = file('client.key', KEY_PEM);
    const missing = join(dir, 'no-such.pem');
    /** A TLS option as text; `ca` is an array (one entry per CA source), joined with `|`. */
    const text = (v: unknown): string => [v].flat().map((x) => Buffer.from(x as Uint8Array | string).toString('utf8')).join('|');

    it('reads ssl_ca_certs, ssl_certfile and ssl_keyfile from the query into ca, cert and key', () => {
      const p = parseRedisUrl(`rediss://h:6380/0?ssl_ca_certs=${encodeURIComponent(ca)}&ssl_certfile=${cert}&ssl_keyfile=${key}&x=1`);
      expect(text(p.redis.tls?.ca)).toBe('CA PEM');
      expect(text(p.redis.tls?.cert)).toBe('CLIENT CERT PEM');
      expect(text(p.redis.tls?.key)).toBe(KEY_PEM);
      expect(p.redis.tls?.rejectUnauthorized).toBeUndefined();
      expect(p.query).toEqual({ x: '1' });
    });

    it('reads the same keys from transport options (broker_use_ssl), the query winning key by key', () => {
      const other = file('other-ca.pem', 'OTHER CA PEM');
      const p = parseRedisUrl(`rediss://h/0?ssl_ca_certs=${other}`, { ssl_ca_certs: ca, ssl_certfile: cert, ssl_keyfile: key, ssl_cert_reqs: 'CERT_REQUIRED' });
      expect(text(p.redis.tls?.ca)).toBe('OTHER CA PEM');
      expect(text(p.redis.tls?.cert)).toBe('CLIENT CERT PEM');
      expect(text(p.redis.tls?.key)).toBe(KEY_PEM);
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

    it('reads ssl_ca_data (inline PEM text) into ca, after the CAs of ssl_ca_certs and ssl_ca_path', () => {
      const pem = '-----BEGIN CERTIFICATE-----\nINLINE\n-----END CERTIFICATE-----\n';
      expect(parseRedisUrl(`rediss://h/0?ssl_ca_data=${encodeURIComponent(pem)}`).redis.tls).toEqual({ ca: [pem] });
      expect(parseRedisUrl('rediss://h/0', { ssl_ca_data: pem }).redis.tls).toEqual({ ca: [pem] });
      expect(parseRedisUrl('rediss://h/0?ssl_ca_data=FROM-QUERY', { ssl_ca_data: pem }).redis.tls).toEqual({ ca: ['FROM-QUERY'] });
      expect(text(parseRedisUrl('rediss://h/0', { ssl_ca_certs: ca, ssl_ca_data: pem }).redis.tls?.ca)).toBe(`CA PEM|${pem}`);
      const e = configError(() => parseRedisUrl('rediss://h/0', { ssl_ca_data: 42 }));
      expect(e.code).toBe('Q_ERR_URL_INVALID');
      expect(e.message).toContain('transport option ssl_ca_data must be PEM text');
    });

    it('reads every .pem and .crt regular file of ssl_ca_path into ca, in name order', () => {
      const caDir = join(dir, 'ca-dir');
      mkdirSync(join(caDir, 'sub.pem'), { recursive: true });
      writeFileSync(join(caDir, 'b.crt'), 'B CRT');
      writeFileSync(join(caDir, 'a.pem'), 'A PEM');
      writeFileSync(join(caDir, 'C.PEM'), 'C PEM');
      writeFileSync(join(caDir, 'readme.txt'), 'not a certificate');
      writeFileSync(join(caDir, 'key.key'), 'not a certificate either');
      symlinkSync(ca, join(caDir, 'linked.pem'));
      const fromQuery = parseRedisUrl(`rediss://h/0?ssl_ca_path=${encodeURIComponent(caDir)}`).redis.tls;
      expect(text(fromQuery?.ca)).toBe('C PEM|A PEM|B CRT|CA PEM');
      expect(text(parseRedisUrl('rediss://h/0', { ssl_ca_path: caDir }).redis.tls?.ca)).toBe('C PEM|A PEM|B CRT|CA PEM');
      const all = parseRedisUrl('rediss://h/0', { ssl_ca_certs: ca, ssl_ca_path: caDir, ssl_ca_data: 'INLINE' }).redis.tls;
      expect(text(all?.ca)).toBe('CA PEM|C PEM|A PEM|B CRT|CA PEM|INLINE');
    });

    it("reads OpenSSL's hashed names (c_rehash) in ssl_ca_path, each certificate once", () => {
      const hashed = join(dir, 'hashed-dir');
      mkdirSync(hashed);
      writeFileSync(join(hashed, 'root.pem'), 'ROOT PEM');
      symlinkSync(join(hashed, 'root.pem'), join(hashed, '5ed36f99.0')); // c_rehash's link to root.pem
      writeFileSync(join(hashed, '0a1b2c3d.1'), 'HASHED ONLY');
      writeFileSync(join(hashed, '0a1b2c3d.txt'), 'not a hashed name');
      expect(text(parseRedisUrl('rediss://h/0', { ssl_ca_path: hashed }).redis.tls?.ca)).toBe('HASHED ONLY|ROOT PEM');
    });

    it('rejects an unreadable ssl_ca_path, or one without certificates, with Q_ERR_URL_INVALID naming it', () => {
      const fromQuery = configError(() => parseRedisUrl(`rediss://u:secret@h/0?ssl_ca_path=${encodeURIComponent(missing)}`));
      expect(fromQuery.code).toBe('Q_ERR_URL_INVALID');
      expect(fromQuery.message).toContain(`query parameter ssl_ca_path: cannot read "${missing}"`);
      expect(fromQuery.message).toContain('ENOENT');
      expect(fromQuery.message).not.toContain('secret');
      const notADir = configError(() => parseRedisUrl('rediss://h/0', { ssl_ca_path: ca }));
      expect(notADir.code).toBe('Q_ERR_URL_INVALID');
      expect(notADir.message).toContain(`transport option ssl_ca_path: cannot read "${ca}"`);
      expect(notADir.message).toContain('ENOTDIR');
      const empty = join(dir, 'no-certs');
      mkdirSync(empty);
      writeFileSync(join(empty, 'notes.txt'), 'x');
      const none = configError(() => parseRedisUrl('rediss://h/0', { ssl_ca_path: empty }));
      expect(none.code).toBe('Q_ERR_URL_INVALID');
      expect(none.message).toContain(`transport option ssl_ca_path: no .pem, .crt or hashed (c_rehash) certificate file in "${empty}"`);
      expect(configError(() => parseRedisUrl('rediss://h/0', { ssl_ca_path: 7 })).message).toContain('ssl_ca_path must be a directory path');
    });

    it('refuses a key file that is no usable private key, naming ssl_password for an encrypted one', () => {
      const garbage = file('garbage.key', 'NOT A KEY');
      expect(configError(() => parseRedisUrl(`rediss://h/0?ssl_keyfile=${garbage}`)).message).toMatch(/ssl_keyfile ".*garbage\.key" is not a usable PEM private key/);
      const encrypted = file(
        'encrypted.key',
        generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(),
      );
      const e = configError(() => parseRedisUrl(`rediss://h/0?ssl_keyfile=${encrypted}`));
      expect(e.code).toBe('Q_ERR_URL_INVALID');
      expect(e.message).toContain('an encrypted key needs ssl_password');
      expect(parseRedisUrl(`rediss://h/0?ssl_keyfile=${encrypted}&ssl_password=pw`).redis.tls?.passphrase).toBe('pw');
    });

    it('refuses a socket timeout that is not a number of seconds', () => {
      for (const [where, call] of [
        ['query parameter', () => parseRedisUrl('redis://h/0?socket_timeout=soon')],
        ['transport option', () => parseRedisUrl('redis://h/0', { socket_connect_timeout: '-1' })],
      ] as const) {
        const e = configError(call);
        expect(e.code).toBe('Q_ERR_URL_INVALID');
        expect(e.message).toContain(`${where} socket_`);
        expect(e.message).toContain('is not a number of seconds');
      }
      expect(parseRedisUrl('redis://h/0?socket_timeout=2.5').redis.commandTimeout).toBe(2500);
    });

    it('passes ssl_password to Node as the passphrase of the client key, and never shows it', () => {
      expect(parseRedisUrl('rediss://h/0?ssl_password=s3cret').redis.tls).toEqual({ passphrase: 's3cret' });
      expect(parseRedisUrl('rediss://h/0?ssl_password=from-query', { ssl_password: 'from-options' }).redis.tls).toEqual({ passphrase: 'from-query' });
      expect(parseRedisUrl('rediss://h/0', { ssl_password: 'from-options' }).redis.tls).toEqual({ passphrase: 'from-options' });
      const e = configError(() => parseRedisUrl('rediss://h/0', { ssl_password: 1234 }));
      expect(e.code).toBe('Q_ERR_URL_INVALID');
      expect(e.message).toContain('transport option ssl_password must be a string (got number)');
      expect(e.message).not.toContain('1234');
      const masked = configError(() => parseRedisUrl(`rediss://h/0?ssl_password=s3cret&ssl_ca_certs=${missing}`)).message;
      expect(masked).toContain('ssl_password=***');
      expect(masked).not.toContain('s3cret');
    });

    it('the passphrase decrypts an encrypted client key (Node accepts the options)', () => {
      const { privateKey } = generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' },
      });
      const encrypted = file('encrypted.key', privateKey);
      const tls = parseRedisUrl('rediss://h/0', { ssl_keyfile: encrypted, ssl_password: 'right' }).redis.tls ?? {};
      expect(() => createSecureContext(tls)).not.toThrow();
      expect(() => createSecureContext({ ...tls, passphrase: 'wrong' })).toThrow();
    });

    it('rejects an ssl_password that does not decrypt the ssl_keyfile now, with Q_ERR_URL_INVALID (not a retried connect)', () => {
      const { privateKey } = generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' },
      });
      const encrypted = file('encrypted-2.key', privateKey);
      const e = configError(() => parseRedisUrl(`rediss://h/0?ssl_keyfile=${encrypted}&ssl_password=wr0ng`));
      expect(e.code).toBe('Q_ERR_URL_INVALID');
      expect(e.message).toContain(`query parameter ssl_password does not decrypt the ssl_keyfile "${encrypted}"`);
      expect(e.message).not.toContain('wr0ng');
      expect(configError(() => parseRedisUrl('rediss://h/0', { ssl_keyfile: encrypted, ssl_password: 'wr0ng' })).message).toContain('transport option ssl_password');
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

  it('reads the socket options from the URL query too, a transport option winning', () => {
    const p = parseRedisUrl('redis://h/0?socket_connect_timeout=3&socket_timeout=5&socket_keepalive=yes');
    expect(p.redis).toMatchObject({ connectTimeout: 3000, commandTimeout: 5000, keepAlive: 1000 });
    expect(p.query).toEqual({ socket_connect_timeout: '3', socket_timeout: '5', socket_keepalive: 'yes' });
    expect(parseRedisUrl('redis://h/0?socket_connect_timeout=3', { socket_connect_timeout: 7 }).redis.connectTimeout).toBe(7000);
    expect(parseRedisUrl('sentinel://s1?socket_timeout=2', { master_name: 'm' }).redis.commandTimeout).toBe(2000);
    expect(parseRedisUrl('rediss://h/0?socket_keepalive=on').redis.keepAlive).toBe(1000);
  });

  it('reads socket_keepalive as an on/off word: on → keep-alive (1 s initial delay), off → none', () => {
    for (const on of [true, 1, 'true', 'True', 'yes', 'ON', '1', 'y', 't']) expect(parseRedisUrl('redis://h', { socket_keepalive: on }).redis.keepAlive).toBe(1000);
    for (const off of [false, 0, 'false', 'False', 'no', 'off', '0', 'n', 'f']) {
      const opts = clientOptions(parseRedisUrl('redis://h', { socket_keepalive: off }), 'command');
      // ioredis keeps a socket alive when keepAlive is a number (its default is 0): off must not be one.
      expect(typeof opts.keepAlive).not.toBe('number');
      expect(typeof clientOptions(parseRedisUrl(`redis://h?socket_keepalive=${String(off)}`), 'command').keepAlive).not.toBe('number');
    }
    // not set (or empty): ioredis' default
    expect(parseRedisUrl('redis://h').redis.keepAlive).toBeUndefined();
    expect(parseRedisUrl('redis://h?socket_keepalive=', { socket_keepalive: '' }).redis.keepAlive).toBeUndefined();
    expect(parseRedisUrl('redis://h?socket_keepalive=no', { socket_keepalive: 'yes' }).redis.keepAlive).toBe(1000);
  });

  it('rejects an unknown socket_keepalive word with Q_ERR_URL_INVALID naming where it came from', () => {
    const q = configError(() => parseRedisUrl('redis://u:secret@h/0?socket_keepalive=sometimes'));
    expect(q.code).toBe('Q_ERR_URL_INVALID');
    expect(q.message).toContain('query parameter socket_keepalive="sometimes" is not one of true/false');
    expect(q.message).not.toContain('secret');
    const t = configError(() => parseRedisUrl('redis://h/0', { socket_keepalive: 'sometimes' }));
    expect(t.code).toBe('Q_ERR_URL_INVALID');
    expect(t.message).toContain('transport option socket_keepalive="sometimes"');
    expect(configError(() => parseRedisUrl('redis://h/0', { socket_keepalive: 2 })).message).toContain('socket_keepalive=2');
    expect(code(() => parseRedisUrl('sentinel://s1', { master_name: 'm', socket_keepalive: 'maybe' }))).toBe('Q_ERR_URL_INVALID');
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
    expect(maskRedisUrl('rediss://:pw@h/0?ssl_keyfile=/k&ssl_password=s3cret&y=1')).toBe('rediss://:***@h/0?ssl_keyfile=/k&ssl_password=***&y=1');
    expect(maskRedisUrl('rediss://h/0?password=a&ssl_password=b')).toBe('rediss://h/0?password=***&ssl_password=***');
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
