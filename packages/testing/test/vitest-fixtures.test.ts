import type { Worker } from '@q/worker';
import { describe, expect } from 'vitest';
import { qTest } from '../src/vitest.js';

const seen: { worker?: Worker } = {};

describe('qTest', () => {
  qTest('gives an app on the memory broker and backend, and a worker started on it', async ({ qApp, qWorker }) => {
    const add = qApp.task('tests.add', (x: number, y: number) => x + y);
    expect(await (await add.delay(20, 22)).get({ timeout: 5 })).toBe(42);
    seen.worker = qWorker;
  });

  qTest('stopped the worker after the test that used it', () => {
    expect(seen.worker?.state).toBe('stopped');
  });

  qTest('starts no worker for a test that does not ask for one', async ({ qApp }) => {
    qApp.task('tests.echo', (v: string) => v);
    const result = await qApp.sendTask('tests.echo', ['x']);
    expect(await result.state()).toBe('PENDING');
  });
});

describe('qTest.extend: qConfig and qWorkerOptions per file', () => {
  const custom = qTest.extend('qConfig', { name: 'custom-app' }).extend('qWorkerOptions', { hostname: 'custom@test' });

  custom('makes the app from qConfig and the worker from qWorkerOptions', async ({ qApp, qWorker }) => {
    expect(qApp.conf.name).toBe('custom-app');
    expect(qWorker.hostname).toBe('custom@test');
  });
});

describe('qTest.override: qConfig per describe block', () => {
  qTest.override({ qConfig: { name: 'overridden' } });

  qTest('uses the overridden qConfig', ({ qApp }) => {
    expect(qApp.conf.name).toBe('overridden');
  });
});
