/**
 * Message signing (Celery's `auth` serializer) between q and Python Celery 5.2.6, over a private redis-server this
 * file starts (broker db 0, results db 1, the Python ledger db 2). Throwaway RSA keys and certificates are made by
 * `e2e/python/security_certs.py`: alice signs for Python, bob for q; mallory is in no store; `expired` expired in 2001.
 *
 * - Python client (alice) → in-process q worker (bob, store alice + bob + expired): runs, both read the result.
 * - q client (bob) → Python worker (alice, store alice + bob; `app.setup_security()`): runs, q reads the result.
 * - To the Python worker: an unsigned `json` message and one signed by mallory are refused, never run.
 * - To the q worker: an unknown signer, an expired certificate, a wrong key under alice's certificate, a tampered
 *   body and an unsigned `json` message are each rejected with a logged reason and never run; the worker stays up
 *   and runs a good signed task afterwards.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { freePort, missingRedisServer, privateRedis, pythonCelery, recordingLogger, runsHere } from '@q/test-services';
import type { PrivateRedis, RecordingLogger } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, stopAll } from './support/managed-process.js';
import type { ManagedProcess } from './support/managed-process.js';
import { PYTHON_DIR } from './support/python-celery.js';

const execFileAsync = promisify(execFile);
const SUITE = 'security interop';
const py = pythonCelery(SUITE, ['cryptography']);
const ok = runsHere(SUITE, [missingRedisServer()]) && py !== null;

let dir: string;
let certs: string;
let server: PrivateRedis;
let urls: { broker: string; backend: string; ledger: string };
let raw: Redis;
let ledger: Redis;
let logger: RecordingLogger;
let qWorkerApp: App;
let qClient: App;
let plainClient: App;
let worker: Worker;
let pyWorker: ManagedProcess;
/** What the q worker's `sec.add` ran. */
const ran: string[] = [];

const pem = (name: string): string => readFileSync(path.join(certs, name), 'utf8');
const storeOf = (sub: string): string[] => readdirSync(path.join(certs, sub)).sort().map((f) => pem(path.join(sub, f)));

/**
 * Runs `security_send.py` signed as `signer` (key and certificate file names); its JSON line. Asynchronous: the q
 * worker runs in this process.
 */
async function pythonSend(signer: { key: string; cert: string }, queue: string, args: unknown[], waitSeconds?: number): Promise<{ task_id: string; result?: unknown }> {
  const argv = ['security_send.py', queue, 'sec.add', JSON.stringify(args), ...(waitSeconds === undefined ? [] : [String(waitSeconds)])];
  const { stdout } = await execFileAsync(py ?? '', argv, { cwd: PYTHON_DIR, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...pythonEnv(signer.key, signer.cert) } });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { task_id: string; result?: unknown };
}

function pythonEnv(key: string, cert: string): Record<string, string> {
  return {
    INTEROP_BROKER: urls.broker,
    INTEROP_BACKEND: urls.backend,
    INTEROP_LEDGER: urls.ledger,
    SECURITY_KEY: path.join(certs, key),
    SECURITY_CERT: path.join(certs, cert),
    SECURITY_STORE: path.join(certs, 'store'),
    PYTHONUNBUFFERED: '1',
  };
}

const rejections = (): string[] => logger.messages('warn').filter((m) => m.startsWith('Rejecting a message that cannot be decoded: '));

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Waits for one more rejection than `before` and returns its line and the error code logged with it. */
async function nextRejection(before: number): Promise<{ msg: string; code: unknown }> {
  await until(() => rejections().length > before, 15_000);
  const lines = logger.filter({ msg: /^Rejecting a message that cannot be decoded: / });
  const line = lines[before];
  return { msg: line?.msg ?? '(none)', code: (line?.obj as { err?: { code?: unknown } } | undefined)?.err?.code };
}

beforeAll(async () => {
  if (!ok) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-security-'));
  certs = path.join(dir, 'certs');
  const made = spawnSync(py ?? '', ['security_certs.py', certs], { cwd: PYTHON_DIR, encoding: 'utf8', timeout: 30_000 });
  if (made.status !== 0) throw new Error(`security_certs.py failed: ${made.stdout}${made.stderr}`);
  server = privateRedis(await freePort(), dir);
  await server.start();
  const base = `redis://127.0.0.1:${server.port}`;
  urls = { broker: `${base}/0`, backend: `${base}/1`, ledger: `${base}/2` };
  raw = new Redis(urls.broker, { maxRetriesPerRequest: 2 });
  ledger = new Redis(urls.ledger, { maxRetriesPerRequest: 2 });

  const bob = { key: pem('bob.key'), certificate: pem('bob.pem') };
  logger = recordingLogger();
  qWorkerApp = createApp({
    name: 'security-worker',
    logger,
    broker: redisTransport({ url: urls.broker, logger }),
    backend: redisBackend(urls.backend),
    security: { ...bob, certStore: storeOf('store-with-expired') },
  });
  qWorkerApp.task('sec.add', (x: number, y: number) => {
    ran.push(`q:${x}+${y}`);
    return x + y;
  });
  qWorkerApp.setupSecurity();
  worker = createWorker(qWorkerApp, { logger, hostname: 'q-security@%h', queues: ['q'], concurrency: 2 });
  await worker.start();

  qClient = createApp({ name: 'security-client', broker: redisTransport(urls.broker), backend: redisBackend(urls.backend) });
  qClient.setupSecurity({ ...bob, certStore: storeOf('store') });
  plainClient = createApp({ name: 'plain-client', broker: redisTransport(urls.broker), backend: redisBackend(urls.backend) });

  pyWorker = startProcess(py ?? '', ['-m', 'celery', '-A', 'security_app', 'worker', '-l', 'info', '-n', 'py-security@%h', '-P', 'solo', '-Q', 'py',
    '--without-gossip', '--without-mingle', '--without-heartbeat'], { cwd: PYTHON_DIR, env: pythonEnv('alice.key', 'alice.pem') });
  await pyWorker.waitFor(/ ready\./, 30_000);
}, 90_000);

afterAll(async () => {
  await stopAll();
  await worker?.stop({ graceful: false }).catch(() => undefined);
  await qClient?.close();
  await plainClient?.close();
  raw?.disconnect();
  ledger?.disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ok)('message signing between q and Python Celery (Redis)', () => {
  it('a task signed by Python runs on q; Python and q read its result', async () => {
    const sent = await pythonSend({ key: 'alice.key', cert: 'alice.pem' }, 'q', [2, 3], 20);
    expect(sent.result).toBe(5);
    expect(ran).toEqual(['q:2+3']);
    expect(await qClient.asyncResult<number>(sent.task_id).get({ timeout: 5 })).toBe(5);
  }, 40_000);

  it('a task signed by q runs on Python (setup_security); q reads its result', async () => {
    const result = await qClient.sendTask<number>('sec.add', [4, 5], {}, { queue: 'py' });
    expect(await result.get({ timeout: 20 })).toBe(9);
    expect(await ledger.lrange('ledger', 0, -1)).toEqual(['python:4+5']);
  }, 40_000);

  it('the q worker refuses, with the reason logged, an unknown signer, an expired certificate and a wrong key', async () => {
    const cases = [
      { signer: { key: 'mallory.key', cert: 'mallory.pem' }, code: 'Q_ERR_CERTIFICATE_UNKNOWN', reason: /unknown certificate "US q tests q signing test CA 4100"/ },
      { signer: { key: 'expired.key', cert: 'expired.pem' }, code: 'Q_ERR_CERTIFICATE_EXPIRED', reason: /certificate "US q tests q signing test CA 4099" expired on 2001-01-01/ },
      // mallory's key under alice's certificate: Python signs it without a check
      { signer: { key: 'mallory.key', cert: 'alice.pem' }, code: 'Q_ERR_MESSAGE_SIGNATURE_INVALID', reason: /bad signature \(signer "US q tests q signing test CA 4097"\)/ },
    ];
    for (const c of cases) {
      const before = rejections().length;
      const sent = await pythonSend(c.signer, 'q', [100, 1]);
      const rejected = await nextRejection(before);
      expect(rejected.code).toBe(c.code);
      expect(rejected.msg).toMatch(c.reason);
      expect(await qClient.asyncResult(sent.task_id).state()).toBe('PENDING');
    }
    expect(ran).toEqual(['q:2+3']);
  }, 60_000);

  it('the q worker refuses a signed message whose body was changed, and an unsigned json one', async () => {
    // bob signs sec.add(7, 1) into a queue nobody consumes; the body is changed to (7, 9) on its way to `q`
    await qClient.sendTask('sec.add', [7, 1], {}, { queue: 'hold' });
    const envelope = JSON.parse((await raw.rpop('hold')) ?? '{}') as { body: string; properties: { delivery_info: { routing_key: string } } };
    const signed = Buffer.from(Buffer.from(envelope.body, 'base64').toString('latin1'), 'base64');
    const tampered = Buffer.from(signed.toString('latin1').replace('[[7, 1]', '[[7, 9]'), 'latin1');
    expect(tampered.equals(signed)).toBe(false);
    envelope.body = Buffer.from(tampered.toString('base64'), 'latin1').toString('base64');
    envelope.properties.delivery_info.routing_key = 'q';
    let before = rejections().length;
    await raw.lpush('q', JSON.stringify(envelope));
    let rejected = await nextRejection(before);
    expect(rejected.code).toBe('Q_ERR_MESSAGE_SIGNATURE_INVALID');
    expect(rejected.msg).toMatch(/bad signature \(signer "US q tests q signing test CA 4098"\): the body was changed/);

    before = rejections().length;
    await plainClient.sendTask('sec.add', [8, 1], {}, { queue: 'q' });
    rejected = await nextRejection(before);
    expect(rejected.code).toBe('Q_ERR_CONTENT_TYPE_NOT_ACCEPTED');
    expect(rejected.msg).toMatch(/content type "application\/json" is not accepted \(accept: auth\)/);
    expect(ran).toEqual(['q:2+3']);

    // nothing left behind, and the worker still runs a signed task
    expect(await raw.llen('q')).toBe(0);
    expect(await raw.hlen('unacked')).toBe(0);
    const good = await pythonSend({ key: 'alice.key', cert: 'alice.pem' }, 'q', [20, 22], 20);
    expect(good.result).toBe(42);
    expect(ran).toEqual(['q:2+3', 'q:20+22']);
    expect(worker.state).toBe('running');
  }, 60_000);

  it('the Python worker refuses an unsigned json message and one signed by a certificate outside its store', async () => {
    await plainClient.sendTask('sec.add', [6, 6], {}, { queue: 'py' });
    await pyWorker.waitFor(/Refusing to deserialize untrusted content of type json/, 15_000);
    const mallory = createApp({ name: 'mallory-client', broker: redisTransport(urls.broker), backend: null });
    try {
      mallory.setupSecurity({ key: pem('mallory.key'), certificate: pem('mallory.pem'), certStore: storeOf('store') });
      await mallory.sendTask('sec.add', [6, 7], {}, { queue: 'py' });
      await pyWorker.waitFor(/Unknown certificate: .*US q tests q signing test CA 4100/, 15_000);
    } finally {
      await mallory.close();
    }
    // a signed task sent after them still runs there; neither of them ran
    expect(await qClient.sendTask<number>('sec.add', [1, 1], {}, { queue: 'py' }).then((r) => r.get({ timeout: 20 }))).toBe(2);
    expect(await ledger.lrange('ledger', 0, -1)).toEqual(['python:4+5', 'python:1+1']);
  }, 60_000);
});
