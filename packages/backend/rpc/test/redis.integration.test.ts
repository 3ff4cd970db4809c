/**
 * The rpc backend over the Redis broker (db 10, flushed before and after): the conformance suite, kombu's routing
 * of the default exchange (the reply is LPUSHed to the list named like the reply queue, as Python's kombu does), and
 * a real q worker answering a q client.
 */
import { decodeEnvelope } from '@q/core/adapter';
import type { TaskMeta } from '@q/core';
import { resultBackendSuite } from '@q/conformance';
import { REDIS, readVector, servicesAvailable } from '@q/test-services';
import { createRedisClient } from '@q/redis-client';
import { redisTransport } from '@q/transport-redis';
import type { Worker } from '@q/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qPlugin, rpcBackend } from '../src/index.js';
import type { RpcBackend } from '../src/index.js';
import { attachedBackend, closeApps, makeApp, replyToOf, workerAnswersClient } from './support.js';

const URL10 = 'redis://127.0.0.1:6379/10';
const ok = await servicesAvailable('backend-rpc', REDIS);

async function flushDb10(): Promise<void> {
  const client = createRedisClient(URL10);
  try {
    await client.select(10);
    await client.flushdb();
  } finally {
    await client.quit();
  }
}

describe.skipIf(!ok)('rpc backend over Redis (db 10)', () => {
  beforeAll(flushDb10);
  afterAll(flushDb10);

  resultBackendSuite('rpc backend (redis transport)', async () => attachedBackend(() => redisTransport(URL10)), { replyTo: replyToOf });

  describe('with apps', () => {
    const workers: Worker[] = [];
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop({ graceful: false })));
      await closeApps();
    });

    it('a reply goes to the Redis list named like the reply queue, in kombu envelope, with Celery properties', async () => {
      const client = makeApp({ broker: redisTransport(URL10), backend: rpcBackend() });
      const worker = makeApp({ broker: redisTransport(URL10), backend: rpcBackend() });
      const backend = (await worker.getBackend()) as RpcBackend;
      const vector = readVector<{ body: string; decoded_body: { task_id: string; status: string; result: unknown; traceback: null; children: [] } }>(
        'rpc-result-success.json',
      );
      const d = vector.decoded_body;
      const meta: TaskMeta = { taskId: d.task_id, status: d.status, result: d.result, traceback: d.traceback, children: d.children, dateDone: null };
      await backend.storeResult(meta, { expiresMs: null, replyTo: client.oid, correlationId: d.task_id });
      const raw = createRedisClient(URL10);
      try {
        const stored = await raw.lrange(client.oid, 0, -1);
        expect(stored).toHaveLength(1);
        const envelope = JSON.parse(stored[0] as string) as { properties: Record<string, unknown>; headers: unknown; 'content-type': string };
        expect(envelope.headers).toEqual({});
        expect(envelope['content-type']).toBe('application/json');
        expect(envelope.properties).toMatchObject({
          correlation_id: d.task_id,
          delivery_mode: 1,
          priority: 0,
          delivery_info: { exchange: '', routing_key: client.oid },
        });
        const decoded = decodeEnvelope(stored[0] as string);
        expect(new TextDecoder().decode(decoded.message.body)).toBe(vector.body);
      } finally {
        await raw.quit();
      }
      // the client reads it from there
      expect(await client.asyncResult(d.task_id).get({ timeout: 5 })).toBe(5);
    });

    it('a q worker answers a q client: results, typed failures and STARTED; an unknown id stays PENDING', async () => {
      const client = makeApp({ broker: redisTransport(URL10), backend: 'rpc://', plugins: [qPlugin] });
      const workerApp = makeApp({ broker: redisTransport(URL10), backend: rpcBackend() });
      await workerAnswersClient(client, workerApp, workers, 'rpc-redis@test');
      expect(await client.asyncResult('never-sent').state()).toBe('PENDING');
    });
  });
});
