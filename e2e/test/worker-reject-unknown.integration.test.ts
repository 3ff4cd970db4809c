/**
 * A real `q worker` on RabbitMQ rejects the message of an unknown task without requeue (Celery ≥ 5.2), so the
 * queue's dead-letter exchange receives it, and stores FAILURE NotRegistered as before. The worker consumes the
 * queue because it is in `task.queues` (no `-Q`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { listQueues, rabbitVhost } from '@q/test-services';
import type { TestVhost } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLX_QUEUES } from '../apps/dlx-app.js';
import { startProcess, stopAll } from './support/managed-process.js';
import type { ManagedProcess } from './support/managed-process.js';
import { ROOT } from './support/q-process.js';

const vhost: TestVhost | null = await rabbitVhost('worker-reject-unknown', 'e2e-worker-dlx');
let dir: string;
let client: App;
let worker: ManagedProcess;

beforeAll(async () => {
  if (!vhost) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-e2e-dlx-'));
  const results = `file://${path.join(dir, 'results')}`;
  client = createApp({ broker: vhost.url, backend: results, task: { queues: DLX_QUEUES, defaultQueue: 'work' } });
  const transport = await client.getTransport();
  await transport.declareExchange({ name: 'dlx', type: 'direct', durable: true, autoDelete: false });
  await transport.declareQueue({ name: 'dead', durable: true, exclusive: false, autoDelete: false });
  await transport.bindQueue({ queue: 'dead', exchange: 'dlx', routingKey: 'dead' });
  worker = startProcess(
    process.execPath,
    ['--conditions=@q/source', '--import', 'tsx', 'packages/cli/src/bin.ts', '-A', 'e2e/apps/dlx-app.ts', '-b', vhost.url, '--result-backend', results, '-l', 'info', 'worker'],
    { cwd: ROOT },
  );
  await worker.waitFor(/\bready\b/, 30_000);
});

afterAll(async () => {
  await stopAll();
  await client?.close();
  await vhost?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const depth = (queue: string): number => Number(listQueues(vhost!.name, ['name', 'messages']).find(([name]) => name === queue)?.[1] ?? -1);

describe.skipIf(!vhost)('q worker on RabbitMQ: an unknown task', () => {
  it('is rejected to the dead-letter exchange, with FAILURE NotRegistered stored; a known task still runs', async () => {
    const unknown = await client.sendTask('dlx.nobody', [1, 2]);
    await expect(unknown.get({ timeout: 15 })).rejects.toThrow(/dlx\.nobody/);
    expect(await unknown.state()).toBe('FAILURE');
    const deadline = Date.now() + 10_000;
    while (depth('dead') !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(depth('dead')).toBe(1);
    expect(depth('work')).toBe(0);
    // The line is logged before the state is stored, but the worker's logger writes it out on its own schedule.
    await worker.waitFor(/Received unregistered task of type 'dlx\.nobody'\. The message has been rejected and discarded\./, 10_000);
    const known = await client.sendTask('dlx.known');
    expect(await known.get({ timeout: 15 })).toBe('known');
  });
});
