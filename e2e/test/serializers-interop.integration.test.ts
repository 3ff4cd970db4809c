/**
 * msgpack and yaml between Python Celery 5.2.6 (kombu 5.2.4, python3-msgpack, PyYAML) and q, over a private
 * redis-server (db 0 broker and results, db 1 the ledger of the interop tasks):
 *
 * - a Python client sends with `serializer='msgpack'` (and Celery's `result_compression='gzip'`, which Celery 5.2.6
 *   applies to the task messages it sends) or `serializer='yaml'` → a q worker that accepts only msgpack and yaml
 *   runs the task, Python reads the result;
 * - a q client sends msgpack (gzip-compressed) or yaml to the queue of a Python worker whose `accept_content` is
 *   only msgpack and yaml → q reads the result;
 * - the raw message a Python client leaves in Redis is decoded by q's serializer and codec (kombu's bytes).
 *
 * Results are JSON both ways (`result.serializer` beyond JSON is not done: see docs/guide/serializers.md).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '@q/core';
import { zlibCodec } from '@q/core/adapter';
import { redisBackend } from '@q/backend-redis';
import { msgpackPlugin, msgpackSerializer } from '@q/serializer-msgpack';
import { yamlPlugin, yamlSerializer } from '@q/serializer-yaml';
import { freePort, missingRedisServer, privateRedis, pythonCelery, runsHere, type PrivateRedis } from '@q/test-services';
import { redisTransport } from '@q/transport-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll, startProcess, type ManagedProcess } from './support/managed-process.js';
import { PythonClient, envOf, expectOk, startPythonWorker, type InteropEnv, type SendOptions } from './support/python-celery.js';
import { ROOT, TSX_ARGS } from './support/q-process.js';

const py = pythonCelery('serializers interop');
const runs = runsHere('serializers interop', [missingRedisServer(), py ? null : 'Python Celery is missing']);

/** The Python worker's queue (the q worker consumes the default `celery`). */
const PY_QUEUE = 'py-serializers';
/** A queue nobody consumes: the raw message stays in Redis for the test to read. */
const PEEK_QUEUE = 'peek-serializers';

/** Values both sides carry the same way in msgpack, yaml and the JSON result. */
const VALUES = ['é', 'yes', 'null', 2 ** 40, 1.5, null, true, { nested: [1, 2] }];

describe.skipIf(!runs)('msgpack and yaml between Python Celery and q (private Redis)', () => {
  let dir: string;
  let server: PrivateRedis;
  let urls: InteropEnv;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;
  let raw: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'q-serializers-'));
    server = privateRedis(await freePort(), dir);
    await server.start();
    const url = `redis://127.0.0.1:${server.port}/0`;
    urls = {
      broker: url,
      backend: url,
      ledger: `redis://127.0.0.1:${server.port}/1`,
      // Python's clients and worker: read msgpack and yaml (results stay JSON); Celery 5.2.6 compresses the task
      // messages it sends with `result_compression`.
      celeryConf: { accept_content: ['msgpack', 'yaml'], result_accept_content: ['json'], result_compression: 'gzip' },
    };
    client = new PythonClient(py ?? '', urls);
    const args = [...TSX_ARGS, 'packages/cli/src/bin.ts', '-A', 'e2e/apps/serializers-app.ts', '-b', url, '--result-backend', url, '-l', 'info', 'worker', '-P', 'solo', '-n', 'q-serializers@%h'];
    qWorker = startProcess(process.execPath, args, { cwd: ROOT, env: envOf(urls) });
    [, pyWorker] = await Promise.all([
      qWorker.waitFor(/\bready\b/, 30_000),
      startPythonWorker(py ?? '', urls, { hostname: 'py-serializers@%h', queues: [PY_QUEUE] }),
    ]);
    app = createApp({ name: 'serializers-client', broker: redisTransport(url), backend: redisBackend(url), plugins: [msgpackPlugin, yamlPlugin] });
    raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  }, 60_000);

  /** The result of a task the Python worker runs; on failure, the error names the end of the worker's output. */
  async function pythonResult(result: { get(options: { timeout: number }): Promise<unknown> }): Promise<unknown> {
    try {
      return await result.get({ timeout: 15 });
    } catch (error) {
      throw new Error(`${String(error)}\n--- Python worker output (end) ---\n${pyWorker.output().slice(-3000)}`, { cause: error });
    }
  }

  afterAll(async () => {
    await app?.close();
    raw?.disconnect();
    await stopAll();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it.each([
    ['msgpack', { serializer: 'msgpack' }],
    ['yaml', { serializer: 'yaml' }],
  ] as const)('a Python client sends %s → the q worker runs the task, Python reads the result', async (_name, options) => {
    const id = await client.send('tasks.echo', VALUES, { k: 'v' }, options as SendOptions);
    const reply = expectOk(await client.get(id, 15));
    expect(reply.value).toEqual({ args: VALUES, kwargs: { k: 'v' } });
  }, 30_000);

  it("leaves kombu's bytes in Redis: msgpack, gzip-compressed by result_compression, that q decodes", async () => {
    await client.send('tasks.echo', VALUES, { k: 'v' }, { queue: PEEK_QUEUE, serializer: 'msgpack' } as SendOptions);
    const text = await raw.rpop(PEEK_QUEUE);
    const message = JSON.parse(text ?? 'null') as { body: string; 'content-type': string; 'content-encoding': string; headers: Record<string, unknown> };
    expect(message['content-type']).toBe('application/x-msgpack');
    expect(message['content-encoding']).toBe('binary');
    expect(message.headers['compression']).toBe('application/x-gzip');
    const body = msgpackSerializer.decode(await zlibCodec.decode(Buffer.from(message.body, 'base64')));
    expect(body).toEqual([VALUES, { k: 'v' }, { callbacks: null, errbacks: null, chain: null, chord: null }]);
  }, 30_000);

  it('a q client sends msgpack (gzip) → the Python worker runs the task, q reads the result', async () => {
    const result = await app.sendTask('tasks.echo', [...VALUES, 2n ** 64n - 1n], {}, { queue: PY_QUEUE, serializer: 'msgpack', compression: 'gzip' });
    expect(await pythonResult(result)).toEqual({ args: [...VALUES, 2n ** 64n - 1n], kwargs: {} });
  }, 30_000);

  it('a q client sends yaml → the Python worker gets a datetime for a Date, q reads the result', async () => {
    const result = await app.sendTask('tasks.echo', [new Date('2026-01-02T03:04:05.123Z'), ...VALUES], {}, { queue: PY_QUEUE, serializer: 'yaml' });
    // The Python task returns its arguments; kombu's JSON writes the datetime as ISO 8601 ending in Z.
    expect(await pythonResult(result)).toEqual({ args: ['2026-01-02T03:04:05.123000Z', ...VALUES], kwargs: {} });
  }, 30_000);

  it('the serializers round-trip what Python sent unchanged (yaml safe_dump output included)', async () => {
    await client.send('tasks.echo', VALUES, {}, { queue: PEEK_QUEUE, serializer: 'yaml', compression: 'zlib' } as SendOptions);
    const message = JSON.parse((await raw.rpop(PEEK_QUEUE)) ?? 'null') as { body: string; 'content-type': string };
    expect(message['content-type']).toBe('application/x-yaml');
    const body = yamlSerializer.decode(await zlibCodec.decode(Buffer.from(message.body, 'base64')));
    expect(body).toEqual([VALUES, {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
  }, 30_000);

  it('the q worker rejects, with a logged reason, a JSON message (not in its accept) and a yaml body with a python tag', async () => {
    const id = await client.send('tasks.echo', ['as json'], {}, { serializer: 'json' } as SendOptions);
    await qWorker.waitFor(new RegExp(`Rejecting a message that cannot be decoded: content type "application/json" is not accepted`), 15_000);
    // A message Python made, its body replaced by a yaml document PyYAML's full loader would run, put on the q
    // worker's queue: q refuses the tag and builds nothing.
    await client.send('tasks.echo', ['x'], {}, { queue: PEEK_QUEUE, serializer: 'yaml' } as SendOptions);
    const message = JSON.parse((await raw.rpop(PEEK_QUEUE)) ?? 'null') as { body: string; headers: Record<string, unknown> };
    const pwned = path.join(dir, 'pwned');
    const evil = `- !!python/object/apply:os.system ["touch ${pwned}"]\n- {}\n- {callbacks: null, errbacks: null, chain: null, chord: null}\n`;
    message.body = Buffer.from(await zlibCodec.encode(new TextEncoder().encode(evil))).toString('base64');
    message.headers['compression'] = 'application/x-gzip';
    await raw.lpush('celery', JSON.stringify(message));
    await qWorker.waitFor(/Rejecting a message that cannot be decoded: yaml: refused \(safe loading: standard tags only\)/, 15_000);
    expect(existsSync(pwned)).toBe(false);
    expect(qWorker.output()).not.toContain(`'${id}' succeeded`);
  }, 40_000);
});
