/**
 * `rediss://` against a REAL TLS Redis: two private redis-servers (`startTlsRedis` of `@q/test-services`), TLS only (`--port 0`, so
 * every connection that works went through TLS), with certificates `openssl` makes at test time; one asks for no
 * client certificate, the other requires one (`--tls-auth-clients yes`). Both are stopped and the temp dir removed
 * in afterAll. The settings are redis-py's (`ssl_ca_certs`, `ssl_ca_path`, `ssl_ca_data`, `ssl_certfile`, `ssl_keyfile`,
 * `ssl_password`, `ssl_cert_reqs`, `ssl_check_hostname`), in the URL or in `transportOptions` as Celery's
 * `broker_use_ssl` passes them.
 */
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError, type Transport } from '@q/core';
import type { Delivery } from '@q/core/adapter';
import {
  canListen,
  missingRedisTls,
  makeTestCertificates,
  recordingLogger,
  runsHere,
  startTlsRedis,
  type TlsFiles,
  type TlsRedisServer,
} from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redisQueueDriver, redisTransport, type RedisTransportOptions } from '../src/index.js';
import { message, text, until } from './helpers.js';

const runs = runsHere('transport-redis tls', missingRedisTls());
/** Linux routes all of 127/8 to loopback: a name the server certificate does not carry, for the host name check. */
const altLoopback = runs && (await canListen('127.0.0.2'));

let n = 0;
const queueName = (label: string): string => `tls-${label}-${++n}-${process.pid}`;

/** Failing connects must fail well inside this (no hang, no endless reconnect). */
const FAIL_WITHIN_MS = 3000;

describe.skipIf(!runs)('redis over TLS (private redis-server)', () => {
  let dir = '';
  let files: TlsFiles;
  let open: TlsRedisServer;
  let mutual: TlsRedisServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'q-redis-tls-'));
    files = makeTestCertificates(dir, 'q-redis-client').files;
    [open, mutual] = await Promise.all([
      startTlsRedis(dir, files, 'open', altLoopback ? { bind: ['127.0.0.1', '127.0.0.2'] } : {}),
      startTlsRedis(dir, files, 'mutual', { authClients: 'yes' }),
    ]);
  }, 20_000);

  afterAll(async () => {
    await Promise.all([open?.stop(), mutual?.stop()]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const url = (server: TlsRedisServer, query = '', host = '127.0.0.1'): string => `rediss://${host}:${server.port}/0${query === '' ? '' : `?${query}`}`;

  async function transport(options: RedisTransportOptions): Promise<Transport> {
    const t = redisTransport(options);
    onTestFinished(() => t.close());
    await t.connect();
    return t;
  }

  /** Publishes one message to a fresh queue and consumes it back (the full path: LPUSH, reserve, ack). */
  async function roundTrip(t: Transport, label: string): Promise<void> {
    const queue = queueName(label);
    const got: Delivery[] = [];
    const consumer = await t.consume(queue, (d) => void got.push(d), { prefetch: 1 });
    onTestFinished(() => consumer.cancel());
    await t.publish(message(`hello over ${label}`), { exchange: '', routingKey: queue });
    await until(() => got.length === 1, 5000, `the message on ${queue}`);
    const [d] = got;
    expect(d && text(d.message)).toBe(`hello over ${label}`);
    expect(d?.info.routingKey).toBe(queue);
    await d?.ack();
    expect(await t.queueSize?.(queue)).toBe(0);
  }

  /** `connect()` of a bare queue driver: resolves, or rejects, within FAIL_WITHIN_MS; returns the error and the debug log. */
  async function driverConnect(options: Parameters<typeof redisQueueDriver>[0] & object) {
    const logger = recordingLogger();
    const d = redisQueueDriver({ ...options, logger });
    onTestFinished(() => d.close());
    const started = Date.now();
    const error = await d.connect().then(
      () => null,
      (err: unknown) => err,
    );
    const elapsedMs = Date.now() - started;
    const logged = logger.lines.map((l) => {
      const err = (l.obj as { err?: { code?: unknown; message?: unknown } } | null)?.err;
      return `${String(err?.code ?? '')} ${String(err?.message ?? '')}`;
    });
    return { error, elapsedMs, logged: logged.join('\n') };
  }

  it('publishes and consumes end to end with ssl_ca_certs in the URL (certificate verified)', async () => {
    const t = await transport({ url: url(open, `ssl_ca_certs=${encodeURIComponent(files.ca)}`) });
    await roundTrip(t, 'ca-in-url');
  });

  it('takes the same settings from transportOptions (broker_use_ssl), ssl_cert_reqs=CERT_REQUIRED', async () => {
    const t = await transport({ url: url(open), transportOptions: { ssl_ca_certs: files.ca, ssl_cert_reqs: 'CERT_REQUIRED' } });
    await roundTrip(t, 'ca-in-options');
  });

  it('trusts the CA given inline (ssl_ca_data) or as a directory (ssl_ca_path), from transportOptions or the URL', async () => {
    const pem = readFileSync(files.ca, 'utf8');
    const caDir = join(dir, 'ca-path');
    mkdirSync(caDir, { recursive: true });
    copyFileSync(files.ca, join(caDir, 'q-test-ca.crt'));
    await roundTrip(await transport({ url: url(open), transportOptions: { ssl_ca_data: pem } }), 'ca-data-in-options');
    await roundTrip(await transport({ url: url(open, `ssl_ca_path=${encodeURIComponent(caDir)}`) }), 'ca-path-in-url');
    // an unrelated CA in the directory does not hide the right one given inline
    const otherDir = join(dir, 'other-ca-path');
    mkdirSync(otherDir, { recursive: true });
    copyFileSync(files.otherCa, join(otherDir, 'other.pem'));
    const both = await transport({ url: url(open), transportOptions: { ssl_ca_path: otherDir, ssl_ca_data: pem } });
    await roundTrip(both, 'ca-path-and-data');
    const { error, elapsedMs } = await driverConnect({ url: url(open), transportOptions: { ssl_ca_path: otherDir } });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(elapsedMs).toBeLessThan(FAIL_WITHIN_MS);
  });

  it('connects with ssl_cert_reqs=none and no CA', async () => {
    const t = await transport({ url: url(open, 'ssl_cert_reqs=none') });
    await roundTrip(t, 'cert-reqs-none');
  });

  it('fails fast with a ConnectionError when the server certificate cannot be verified (no CA, default reqs)', async () => {
    const { error, elapsedMs, logged } = await driverConnect({ url: url(open) });
    expect(error).toBeInstanceOf(ConnectionError);
    // Final, and says why (ioredis itself rejects with only "Connection is closed."): an app does not retry it.
    expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect((error as ConnectionError).message).toMatch(
      /^cannot connect to rediss:\/\/127\.0\.0\.1:\d+\/0: the server's TLS certificate failed verification .*\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/,
    );
    expect(elapsedMs).toBeLessThan(FAIL_WITHIN_MS);
    expect(logged).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  });

  it('fails when only an unrelated CA is trusted, and with ssl_cert_reqs=optional (which verifies, as in Python)', async () => {
    for (const query of [`ssl_ca_certs=${files.otherCa}`, 'ssl_cert_reqs=optional']) {
      const { error, elapsedMs, logged } = await driverConnect({ url: url(open, query) });
      expect(error, query).toBeInstanceOf(ConnectionError);
      expect(elapsedMs, query).toBeLessThan(FAIL_WITHIN_MS);
      expect(logged, query).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    }
  });

  it.skipIf(!altLoopback)('checks the host name unless ssl_check_hostname=false (127.0.0.2 is not in the certificate)', async () => {
    const wrongName = await driverConnect({ url: url(open, `ssl_ca_certs=${files.ca}`, '127.0.0.2') });
    expect(wrongName.error).toBeInstanceOf(ConnectionError);
    expect(wrongName.error).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect((wrongName.error as Error).message).toMatch(/\(ERR_TLS_CERT_ALTNAME_INVALID\)$/);
    expect(wrongName.elapsedMs).toBeLessThan(FAIL_WITHIN_MS);
    const t = await transport({ url: url(open, `ssl_ca_certs=${files.ca}&ssl_check_hostname=false`, '127.0.0.2') });
    await roundTrip(t, 'no-hostname-check');
    // The chain is still verified when only the host name check is off.
    const untrusted = await driverConnect({ url: url(open, 'ssl_check_hostname=false', '127.0.0.2') });
    expect(untrusted.error).toBeInstanceOf(ConnectionError);
  });

  it('a server that requires client certificates refuses a client without one', async () => {
    const { error, elapsedMs } = await driverConnect({ url: url(mutual, `ssl_ca_certs=${files.ca}`) });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(elapsedMs).toBeLessThan(FAIL_WITHIN_MS);
  });

  it('and accepts ssl_certfile / ssl_keyfile, from the URL or from transportOptions', async () => {
    const query = `ssl_ca_certs=${files.ca}&ssl_certfile=${files.clientCert}&ssl_keyfile=${files.clientKey}`;
    await roundTrip(await transport({ url: url(mutual, query) }), 'client-cert-in-url');
    const viaOptions = await transport({
      url: url(mutual),
      transportOptions: { ssl_ca_certs: files.ca, ssl_certfile: files.clientCert, ssl_keyfile: files.clientKey, ssl_cert_reqs: 'required' },
    });
    await roundTrip(viaOptions, 'client-cert-in-options');
  });

  it('decrypts an encrypted client key with ssl_password', async () => {
    const encrypted = join(dir, 'client-encrypted.key');
    const pem = createPrivateKey(readFileSync(files.clientKey)).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'k3y pass' });
    writeFileSync(encrypted, pem);
    const query = `ssl_ca_certs=${files.ca}&ssl_certfile=${files.clientCert}&ssl_keyfile=${encrypted}&ssl_password=${encodeURIComponent('k3y pass')}`;
    await roundTrip(await transport({ url: url(mutual, query) }), 'encrypted-key-in-url');
    const viaOptions = await transport({
      url: url(mutual),
      transportOptions: { ssl_ca_certs: files.ca, ssl_certfile: files.clientCert, ssl_keyfile: encrypted, ssl_password: 'k3y pass' },
    });
    await roundTrip(viaOptions, 'encrypted-key-in-options');
    // a wrong passphrase is a configuration error, found before any connect
    expect(() => redisQueueDriver({ url: url(mutual, query.replace('k3y%20pass', 'nope')) })).toThrow(expect.objectContaining({ code: 'Q_ERR_URL_INVALID' }));
  });
});
