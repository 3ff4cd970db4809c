/**
 * An app with the in-memory broker and the Redis backend (database 2), a q worker, and `AsyncResult.get()`:
 * results (also failures and STARTED) go through Redis exactly as Celery stores them, and the URL form resolves
 * through the plugin.
 */
import { createApp, memoryQueueDriver, RemoteError, silentLogger } from '@q/core';
import { REDIS, servicesAvailable } from '@q/test-services';
import { createWorker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qPlugin, redisBackend } from '../src/index.js';
import { URL_DB2, flushDb2, quitAll, rawClient } from './redis-db.js';

const ok = await servicesAvailable('backend-redis', REDIS);

describe.skipIf(!ok)('app + worker with the Redis backend (db 2)', () => {
  beforeAll(flushDb2);
  afterAll(async () => {
    await quitAll();
    await flushDb2();
  });

  it('AsyncResult.get() returns what the worker stored; failures raise; documents are Celery\'s', async () => {
    const app = createApp({
      name: 'redis-app',
      broker: memoryQueueDriver({ namespace: `redis-app-${process.pid}` }),
      backend: redisBackend(URL_DB2),
      task: { trackStarted: true },
    });
    const add = app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const fail = app.task({ name: 'tasks.fail' }, () => {
      throw new TypeError('nope');
    });
    const worker = createWorker(app, { logger: silentLogger, hostname: 'w1@redis-test', closeApp: false });
    await worker.start();
    try {
      const result = await add.delay(2, 3);
      expect(await result.get({ timeout: 5 })).toBe(5);
      const stored = await rawClient().get(`celery-task-meta-${result.id}`);
      expect(stored).toMatch(new RegExp(`^\\{"status": "SUCCESS", "result": 5, "traceback": null, "children": \\[\\], "date_done": "[0-9T:.-]+", "task_id": "${result.id}"\\}$`));
      expect(await rawClient().ttl(`celery-task-meta-${result.id}`)).toBeGreaterThan(86_000);

      const failed = await fail.delay();
      const error = await failed.get({ timeout: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect((await failed.meta()).result).toMatchObject({ exc_type: 'TypeError', exc_message: ['nope'], exc_module: 'builtins' });
    } finally {
      await worker.stop({ graceful: false });
      await app.close();
    }
  });

  it('resolves backend: "redis://…/2" through the plugin', async () => {
    const app = createApp({ name: 'redis-url', broker: 'memory://redis-url', backend: URL_DB2, plugins: [qPlugin] });
    try {
      const backend = await app.getBackend();
      expect(backend?.capabilities).toEqual({ push: true, chords: 'native', groups: true, autoExpire: true });
      expect(backend?.describe()).toBe(URL_DB2);
      await backend?.storeResult(
        { taskId: 'via-url', status: 'SUCCESS', result: 1, traceback: null, children: [], dateDone: '2026-11-22T02:39:41.344238' },
        { expiresMs: null },
      );
      expect(await app.asyncResult('via-url').get({ timeout: 2 })).toBe(1);
    } finally {
      await app.close();
    }
  });
});
