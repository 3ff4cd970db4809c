/**
 * The Redis result backend over `rediss://` against a REAL TLS Redis: a private TLS-only redis-server
 * (`startTlsRedis` of `@q/test-services`, `--port 0`, so every connection that works went through TLS) with
 * certificates `openssl` makes at test time; stopped and its temp dir removed in afterAll. The TLS settings are
 * the transport's (redis-py's `ssl_*`, in the URL or in `transportOptions`); a server certificate that fails
 * verification is a final, named `ConnectionError`, not one an app retries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError, createApp, type TaskMeta } from '@q/core';
import {
  missingRedisTls,
  makeTestCertificates,
  recordingLogger,
  runsHere,
  startTlsRedis,
  type TlsFiles,
  type TlsRedisServer,
} from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { qPlugin, redisBackend, type RedisBackend } from '../src/index.js';

const runs = runsHere('backend-redis tls', missingRedisTls());

/** A failing connect must fail well inside this: at once, not after the app's connection retries. */
const FAIL_WITHIN_MS = 3000;
const VERIFY_CODE = /\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/;

let n = 0;
const taskId = (label: string): string => `tls-${label}-${++n}-${process.pid}`;

function success(id: string, result: unknown): TaskMeta {
  return { taskId: id, status: 'SUCCESS', result, traceback: null, children: [], dateDone: '2026-11-22T02:39:41.344238' };
}

describe.skipIf(!runs)('redis backend over TLS (private redis-server)', () => {
  let dir = '';
  let files: TlsFiles;
  let server: TlsRedisServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'q-backend-redis-tls-'));
    files = makeTestCertificates(dir, 'q-backend-redis-client').files;
    server = await startTlsRedis(dir, files, 'backend');
  }, 20_000);

  afterAll(async () => {
    await server?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const url = (query = ''): string => `rediss://127.0.0.1:${server.port}/2${query === '' ? '' : `?${query}`}`;

  function backend(options: Parameters<typeof redisBackend>[0]): RedisBackend {
    const b = redisBackend(options);
    onTestFinished(() => b.close());
    return b;
  }

  /** `connect()` of a backend: the error it rejects with (`null` when it connects) and how long it took. */
  async function connectOutcome(b: RedisBackend): Promise<{ error: unknown; elapsedMs: number }> {
    const started = Date.now();
    const error = await b.connect().then(
      () => null,
      (err: unknown) => err,
    );
    return { error, elapsedMs: Date.now() - started };
  }

  /** The error is the final, named TLS verification failure, against this server's (masked) URL, query included. */
  function expectVerifyFailure(error: unknown): void {
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot connect to rediss:\/\/127\.0\.0\.1:\d+\/2(\?\S*)?: the server's TLS certificate failed verification /);
    expect(message).toMatch(VERIFY_CODE);
  }

  it('stores and reads a result with ssl_ca_certs in the URL (certificate verified), and pushes it to a watcher', async () => {
    const b = backend(url(`ssl_ca_certs=${encodeURIComponent(files.ca)}`));
    await b.connect();
    const id = taskId('ca-in-url');
    await b.storeResult(success(id, { answer: 42 }), { expiresMs: 60_000 });
    expect(await b.getTaskMeta(id)).toEqual(success(id, { answer: 42 }));

    // The subscriber connection goes over TLS too.
    const watched = taskId('watched');
    const seen: TaskMeta[] = [];
    const stop = await b.watch(watched, (meta) => seen.push(meta));
    onTestFinished(stop);
    await b.storeResult(success(watched, 'pushed'), { expiresMs: 60_000 });
    await expect.poll(() => seen.map((m) => m.result), { timeout: 5000 }).toContain('pushed');
  });

  it('takes the same settings from transportOptions (redis_backend_use_ssl)', async () => {
    const b = backend({ url: url(), transportOptions: { ssl_ca_certs: files.ca, ssl_cert_reqs: 'CERT_REQUIRED' } });
    const id = taskId('ca-in-options');
    await b.connect();
    await b.storeResult(success(id, 1), { expiresMs: null });
    expect((await b.getTaskMeta(id))?.result).toBe(1);
  });

  it('an untrusted CA fails connect() at once with a final ConnectionError naming the cause, again on a second connect()', async () => {
    for (const query of [`ssl_ca_certs=${encodeURIComponent(files.otherCa)}`, '']) {
      const b = backend(url(query));
      const first = await connectOutcome(b);
      expectVerifyFailure(first.error);
      expect(first.elapsedMs, query).toBeLessThan(FAIL_WITHIN_MS);
      // The client was stopped, not left reconnecting: a second connect() tries again and says why again.
      expect(b.driver.client.status).toBe('end');
      const second = await connectOutcome(b);
      expectVerifyFailure(second.error);
      expect(second.elapsedMs, query).toBeLessThan(FAIL_WITHIN_MS);
    }
  });

  it('an app does not retry it: getBackend() rejects at once, with no "retrying" warning', async () => {
    const logger = recordingLogger();
    const app = createApp({
      name: 'backend-redis-tls',
      broker: 'memory://backend-redis-tls',
      backend: url(`ssl_ca_certs=${encodeURIComponent(files.otherCa)}`),
      plugins: [qPlugin],
      logger,
    });
    onTestFinished(() => app.close());
    const started = Date.now();
    const error = await app.getBackend().then(
      () => null,
      (err: unknown) => err,
    );
    expectVerifyFailure(error);
    expect(Date.now() - started).toBeLessThan(FAIL_WITHIN_MS);
    expect(logger.lines.filter((l) => /retrying/.test(l.msg))).toEqual([]);
  });
});
