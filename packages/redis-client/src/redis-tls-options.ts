/**
 * redis-py's `ssl_*` settings of a `rediss://` URL (or of the transport options) as Node TLS options: the CA,
 * certificate and key files are read here, so a bad path fails where the URL is given.
 */
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { ConfigError } from '@q/core';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';
import { invalidRedisUrl as invalid } from './invalid-redis-url.js';

/** Python's `ssl.CERT_*` values (kombu/redis-py accept the names, the lower-case words, and the numbers). */
const CERT_REQS: Record<string, 'none' | 'optional' | 'required'> = {
  none: 'none',
  cert_none: 'none',
  '0': 'none',
  optional: 'optional',
  cert_optional: 'optional',
  '1': 'optional',
  required: 'required',
  cert_required: 'required',
  '2': 'required',
};

/** Files of an `ssl_ca_path` directory read as CA certificates: `.pem`, `.crt`, and OpenSSL's hashed names (`c_rehash`). */
const CA_FILE = /\.(pem|crt)$|^[0-9a-f]{8}\.\d+$/i;

/**
 * Node TLS options from redis-py's `ssl_*` settings, each taken from the URL query first, else from the transport
 * options (Celery's `broker_use_ssl` / `redis_backend_use_ssl` use the same names):
 *
 * - `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`: file paths, read now into `ca`, `cert`, `key`;
 * - `ssl_ca_path`: a directory; every regular file in it (symbolic links followed) whose name ends `.pem` or `.crt`
 *   is read now as PEM CA certificates, in name order;
 * - `ssl_ca_data`: PEM text of CA certificates, given inline;
 * - the CAs of `ssl_ca_certs`, `ssl_ca_path` and `ssl_ca_data` go together into `ca` (an array; with any of them,
 *   Node trusts only these, not its default CAs);
 * - `ssl_password`: the passphrase of an encrypted `ssl_keyfile` (`passphrase`); the key is checked now (a wrong
 *   or missing passphrase, or a file that is no private key, is an error here rather than a failed connect);
 * - `ssl_cert_reqs`: `required` (default) and `optional` verify the server's certificate (`optional` means the
 *   same as `required` for a client in Python's `ssl`), `none` turns verification off (`rejectUnauthorized: false`);
 * - `ssl_check_hostname`: `false` (or another false word of core's `parseBooleanWord`) keeps the chain check but
 *   skips the host name check.
 */
export function redisTlsOptions(url: string, query: Record<string, string>, options: Record<string, unknown>): ConnectionOptions {
  const pick = (key: string): { value: unknown; from: string } | undefined => {
    const q = query[key];
    if (q !== undefined && q !== '') return { value: q, from: 'query parameter' };
    const v = options[key];
    return v === undefined || v === null || v === '' ? undefined : { value: v, from: 'transport option' };
  };
  const tls: ConnectionOptions = {};
  const ca: (Buffer | string)[] = [];
  const cannotRead = (from: string, key: string, path: string, err: unknown): ConfigError =>
    invalid(url, `${from} ${key}: cannot read "${path}" (${err instanceof Error ? err.message : String(err)})`, err);
  const path = (key: string, what: string): { path: string; from: string } | undefined => {
    const given = pick(key);
    if (given === undefined) return undefined;
    if (typeof given.value !== 'string' || given.value === '') throw invalid(url, `${given.from} ${key} must be a ${what} path (got ${JSON.stringify(given.value)})`);
    return { path: given.value, from: given.from };
  };
  const file = (key: string, into: 'ca' | 'cert' | 'key'): void => {
    const given = path(key, 'file');
    if (given === undefined) return;
    let content: Buffer;
    try {
      content = readFileSync(given.path);
    } catch (err) {
      throw cannotRead(given.from, key, given.path, err);
    }
    if (into === 'ca') ca.push(content);
    else tls[into] = content;
  };
  const directory = (key: string): void => {
    const given = path(key, 'directory');
    if (given === undefined) return;
    let found = 0;
    const seen = new Set<string>(); // a hashed name is usually a link to a .pem of the same directory: read it once
    try {
      for (const name of readdirSync(given.path).sort()) {
        const entry = join(given.path, name);
        if (!CA_FILE.test(name) || !statSync(entry).isFile()) continue;
        const real = realpathSync(entry);
        if (seen.has(real)) continue;
        seen.add(real);
        ca.push(readFileSync(entry));
        found++;
      }
    } catch (err) {
      throw cannotRead(given.from, key, given.path, err);
    }
    if (found === 0) throw invalid(url, `${given.from} ${key}: no .pem, .crt or hashed (c_rehash) certificate file in "${given.path}"`);
  };
  file('ssl_ca_certs', 'ca');
  directory('ssl_ca_path');
  const caData = pick('ssl_ca_data');
  if (caData !== undefined) {
    if (typeof caData.value !== 'string') throw invalid(url, `${caData.from} ssl_ca_data must be PEM text (got ${typeof caData.value})`);
    ca.push(caData.value);
  }
  if (ca.length > 0) tls.ca = ca;
  file('ssl_certfile', 'cert');
  file('ssl_keyfile', 'key');
  const password = pick('ssl_password');
  if (password !== undefined) {
    // The value is a secret: messages name its type only.
    if (typeof password.value !== 'string') throw invalid(url, `${password.from} ssl_password must be a string (got ${typeof password.value})`);
    tls.passphrase = password.value;
  }
  // A key that cannot be used (a wrong passphrase, an encrypted key without one, not a key) would fail every
  // connect attempt, retried; say so now, as for an unreadable key file.
  if (tls.key !== undefined) {
    try {
      createPrivateKey({ key: tls.key as Buffer, format: 'pem', ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const keyfile = String(pick('ssl_keyfile')?.value);
      throw invalid(
        url,
        password !== undefined
          ? `${password.from} ssl_password does not decrypt the ssl_keyfile "${keyfile}" (${reason})`
          : `ssl_keyfile "${keyfile}" is not a usable PEM private key (${reason}; an encrypted key needs ssl_password)`,
        err,
      );
    }
  }
  const reqs = pick('ssl_cert_reqs');
  if (reqs !== undefined) {
    const mode = typeof reqs.value === 'string' || typeof reqs.value === 'number' ? CERT_REQS[String(reqs.value).toLowerCase()] : undefined;
    if (mode === undefined) throw invalid(url, `${reqs.from} ssl_cert_reqs=${JSON.stringify(reqs.value)} is not one of required, optional, none (or CERT_REQUIRED, CERT_OPTIONAL, CERT_NONE)`);
    if (mode === 'none') tls.rejectUnauthorized = false;
  }
  const check = pick('ssl_check_hostname');
  if (check !== undefined) {
    const on = parseBooleanWord(check.value);
    if (on === undefined) throw invalid(url, `${check.from} ssl_check_hostname=${JSON.stringify(check.value)} is not one of ${BOOLEAN_WORDS_HINT}`);
    if (!on) tls.checkServerIdentity = () => undefined;
  }
  return tls;
}
