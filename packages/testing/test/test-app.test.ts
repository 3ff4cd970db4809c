import { silentLogger } from '@q/core';
import { createWorker } from '@q/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, recordingLogger, startTestWorker, testNamespace, waitForResult } from '../src/index.js';
import type { App } from '@q/core';
import type { Worker } from '@q/worker';

const open: (App | Worker)[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) {
    if ('stop' in item) await item.stop({ graceful: false });
    else await item.close();
  }
});

function app(...args: Parameters<typeof createTestApp>): App {
  const made = createTestApp(...args);
  open.push(made);
  return made;
}

async function worker(...args: Parameters<typeof startTestWorker>): Promise<Worker> {
  const started = await startTestWorker(...args);
  open.push(started);
  return started;
}

describe('createTestApp + startTestWorker', () => {
  it('run a task to SUCCESS on the memory broker and backend', async () => {
    const client = app();
    const add = client.task('tests.add', (x: number, y: number) => x + y);
    const w = await worker(client);
    const result = await add.delay(2, 3);
    expect(await result.get({ timeout: 5 })).toBe(5);
    expect(await waitForResult(result)).toMatchObject({ status: 'SUCCESS', result: 5 });
    expect(w.hostname).toBe('worker@test');
  });

  it('gives each app a namespace of its own unless one is shared', async () => {
    const ns = testNamespace();
    const worked = app({ namespace: ns });
    const client = app({ namespace: ns });
    const elsewhere = app();
    for (const a of [worked, client, elsewhere]) a.task('tests.echo', (v: string) => v);
    await worker(worked);
    const shared = await client.sendTask('tests.echo', ['shared']);
    expect(await shared.get({ timeout: 5 })).toBe('shared');
    const other = await elsewhere.sendTask('tests.echo', ['other']);
    expect(await other.state()).toBe('PENDING');
  });

  it('is silent by default, and logs to the logger it is given (the worker too)', async () => {
    expect(app().log).toBe(silentLogger);
    const logger = recordingLogger();
    const logged = app({ logger });
    logged.task('tests.noop', () => null);
    await worker(logged, { hostname: 'logged@test' });
    expect(logger.has({ level: 'info', msg: 'logged@test ready.' })).toBe(true);
  });

  it('starts the worker as Celery\'s test worker does, without mingle, unless asked', async () => {
    const logger = recordingLogger();
    const quiet = app({ logger });
    await worker(quiet, { hostname: 'quiet@test' });
    expect(logger.has({ msg: 'mingle' })).toBe(false);
    const mingling = recordingLogger();
    await worker(app({ logger: mingling }), { hostname: 'mingling@test', mingle: true });
    expect(mingling.has({ msg: 'mingle: searching for neighbors' })).toBe(true);
  });

  it('keeps the broker and backend given in place of the memory ones (backend: null disables results)', async () => {
    const noResults = app({ backend: null });
    expect(await noResults.getBackend()).toBeNull();
  });

  it('leaves the app open when the worker stops, unless closeApp is asked', async () => {
    const client = app();
    const add = client.task('tests.add', (x: number, y: number) => x + y);
    const first = await startTestWorker(client);
    await first.stop({ graceful: false });
    await worker(client, { hostname: 'second@test' });
    expect(await (await add.delay(1, 1)).get({ timeout: 5 })).toBe(2);
  });

  it('rejects with the failure of the worker\'s start', async () => {
    const client = app({ broker: 'nope://host' });
    await expect(startTestWorker(client)).rejects.toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
  });

  it('is the same worker createWorker makes', async () => {
    const client = app();
    const w = await worker(client);
    expect(Object.getPrototypeOf(w)).toBe(Object.getPrototypeOf(createWorker(client)));
  });
});
